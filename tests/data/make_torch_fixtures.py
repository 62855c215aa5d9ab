#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/data/torch_fixtures.json: reference outputs and gradients, computed in
float64 by PyTorch (python3-torch, 1.13 on Debian 12), for mlx::core::fast and the nn layers
of include/mlx/nn/layers/{transformer,recurrent,upsample,positional_encoding}.hpp and
InstanceNorm. Inputs and weights are drawn in float32 (so the C++ side sees the same
values), the computation runs in float64. Gradients are those of sum(out * cot) for the
stored cotangent `cot`.

Where PyTorch has no such layer or op (RoPE, fast.rope, sinks, Sinusoidal encoding, ALiBi)
the reference is written here in torch from MLX's definition, as the comments say.
Run from the repository root:  /usr/bin/python3 tests/data/make_torch_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = {}


def rnd(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale).double()


def enc(t):
    t = t.detach().double()
    # 9 significant digits: exact for the float32 inputs, far below the tests' tolerances.
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def case(name, inputs, outputs, params=None, grads=None, extra=None):
    c = {"inputs": {k: enc(v) for k, v in inputs.items()}, "outputs": {k: enc(v) for k, v in outputs.items()}}
    if params:
        c["params"] = {k: enc(v) for k, v in params.items()}
    if grads:
        c["grads"] = {k: enc(v) for k, v in grads.items()}
    if extra:
        c["extra"] = extra
    OUT[name] = c


def grads_of(out, cot, leaves):
    """Gradients of sum(out * cot) with respect to each tensor in `leaves` (dict)."""
    g = torch.autograd.grad((out * cot).sum(), list(leaves.values()), allow_unused=True)
    return {k: (v if v is not None else torch.zeros_like(leaves[k])) for k, v in zip(leaves, g)}


def leaf(t):
    return t.clone().requires_grad_(True)


# ---- fast.rms_norm / fast.layer_norm (F.layer_norm; RMSNorm written from its formula) ----
x, w, b = leaf(rnd(2, 3, 8)), leaf(rnd(8)), leaf(rnd(8))
cot = rnd(2, 3, 8)
y = x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * w
case("fast_rms_norm", {"x": x, "w": w, "cot": cot}, {"y": y}, grads=grads_of(y, cot, {"x": x, "w": w}))
y = F.layer_norm(x, (8,), w, b, 1e-5)
case("fast_layer_norm", {"x": x, "w": w, "b": b, "cot": cot}, {"y": y},
     grads=grads_of(y, cot, {"x": x, "w": w, "b": b}))


# ---- fast.rope (MLX's definition: pairs (i, i + dims/2), or (2i, 2i+1) when traditional) ----
def rope_ref(x, dims, traditional, base, scale, offset, freqs=None):
    T = x.shape[-2]
    half = dims // 2
    off = torch.as_tensor(offset, dtype=torch.float64)
    if off.ndim == 1:
        off = off.reshape(-1, *([1] * (x.ndim - 2)))
    pos = (torch.arange(T, dtype=torch.float64) + off) * scale
    inv = 1.0 / freqs if freqs is not None else base ** (-torch.arange(half, dtype=torch.float64) / half)
    th = pos[..., None] * inv
    c, s = torch.cos(th), torch.sin(th)
    if traditional:
        x1, x2 = x[..., 0:dims:2], x[..., 1:dims:2]
        o = torch.stack([x1 * c - x2 * s, x1 * s + x2 * c], -1).reshape(*x.shape[:-1], dims)
    else:
        x1, x2 = x[..., :half], x[..., half:dims]
        o = torch.cat([x1 * c - x2 * s, x1 * s + x2 * c], -1)
    return torch.cat([o, x[..., dims:]], -1)


x = leaf(rnd(2, 3, 5, 8))
cot = rnd(2, 3, 5, 8)
for trad in (False, True):
    y = rope_ref(x, 6, trad, 10000.0, 0.5, 3)
    case("fast_rope_" + ("traditional" if trad else "default"), {"x": x, "cot": cot}, {"y": y},
         grads=grads_of(y, cot, {"x": x}))
freqs = torch.tensor([1.0, 4.0, 40.0], dtype=torch.float64)
y = rope_ref(x, 6, False, None, 1.0, [1, 4], freqs)
case("fast_rope_freqs_vector_offset", {"x": x, "freqs": freqs, "cot": cot}, {"y": y},
     grads=grads_of(y, cot, {"x": x}))


# ---- fast.scaled_dot_product_attention (written out: torch 1.13 has no F.sdpa) ----
def sdpa_ref(q, k, v, scale, mask=None, causal=False, sinks=None):
    rep = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(rep, 1)
    v = v.repeat_interleave(rep, 1)
    s = (q * scale) @ k.transpose(-1, -2)
    Lq, Lk = q.shape[2], k.shape[2]
    if causal:
        keep = (torch.arange(Lq)[:, None] + Lk - Lq) >= torch.arange(Lk)[None]
        s = s.masked_fill(~keep, float(torch.finfo(torch.float32).min))
    if mask is not None:
        if mask.dtype == torch.bool:
            s = s.masked_fill(~mask, float(torch.finfo(torch.float32).min))
        else:
            s = s + mask
    if sinks is not None:
        sk = sinks.reshape(1, -1, 1, 1).expand(s.shape[0], -1, s.shape[2], 1)
        p = torch.softmax(torch.cat([sk, s], -1), -1)[..., 1:]
    else:
        p = torch.softmax(s, -1)
    return p @ v


q, k, v = leaf(rnd(2, 4, 5, 8)), leaf(rnd(2, 2, 7, 8)), leaf(rnd(2, 2, 7, 6))
cot = rnd(2, 4, 5, 6)
bool_mask = torch.rand(5, 7) > 0.3
bool_mask[:, 0] = True  # every query keeps one key
add_mask = rnd(2, 1, 5, 7)
sinks = rnd(4)
ins = {"q": q, "k": k, "v": v, "cot": cot, "bool_mask": bool_mask.double(), "add_mask": add_mask, "sinks": sinks}
outs, grads = {}, {}
for tag, kw in [("none", {}), ("causal", {"causal": True}), ("bool", {"mask": bool_mask}),
                ("additive", {"mask": add_mask}), ("sinks", {"sinks": sinks})]:
    y = sdpa_ref(q, k, v, 0.35, **kw)
    outs[tag] = y
    for n, g in grads_of(y, cot, {"q": q, "k": k, "v": v}).items():
        grads[tag + "_" + n] = g
case("fast_sdpa_gqa", ins, outs, grads=grads)


# ---- nn.MultiHeadAttention vs torch.nn.MultiheadAttention (kdim/vdim differ from dims) ----
def params_grads(module, names):
    return {ours: p.grad.clone() for ours, p in names.items()}


torch.manual_seed(1)
mha = torch.nn.MultiheadAttention(8, 2, bias=True, batch_first=True, kdim=6, vdim=5).double()
qi, ki, vi = leaf(rnd(2, 5, 8)), leaf(rnd(2, 7, 6)), leaf(rnd(2, 7, 5))
mask = rnd(5, 7)
cot = rnd(2, 5, 8)
y, _ = mha(qi, ki, vi, attn_mask=mask, need_weights=False)
pb = mha.in_proj_bias
P = {"query_proj.weight": mha.q_proj_weight, "key_proj.weight": mha.k_proj_weight,
     "value_proj.weight": mha.v_proj_weight, "query_proj.bias": pb[0:8], "key_proj.bias": pb[8:16],
     "value_proj.bias": pb[16:24], "out_proj.weight": mha.out_proj.weight, "out_proj.bias": mha.out_proj.bias}
leaves = {"queries": qi, "keys": ki, "values": vi, "in_proj_bias": pb, "q": mha.q_proj_weight,
          "k": mha.k_proj_weight, "v": mha.v_proj_weight, "ow": mha.out_proj.weight, "ob": mha.out_proj.bias}
g = grads_of(y, cot, leaves)
G = {"queries": g["queries"], "keys": g["keys"], "values": g["values"], "query_proj.weight": g["q"],
     "key_proj.weight": g["k"], "value_proj.weight": g["v"], "query_proj.bias": g["in_proj_bias"][0:8],
     "key_proj.bias": g["in_proj_bias"][8:16], "value_proj.bias": g["in_proj_bias"][16:24],
     "out_proj.weight": g["ow"], "out_proj.bias": g["ob"]}
case("nn_mha", {"queries": qi, "keys": ki, "values": vi, "mask": mask, "cot": cot}, {"y": y}, params=P, grads=G)


# ---- Transformer layers vs torch.nn.Transformer* (attention biases zeroed: MLX has none) ----
def zero_attn_bias(attn):
    with torch.no_grad():
        attn.in_proj_bias.zero_()
        attn.out_proj.bias.zero_()


def attn_params(prefix, attn, d):
    w = attn.in_proj_weight
    return {prefix + "query_proj.weight": w[0:d], prefix + "key_proj.weight": w[d:2 * d],
            prefix + "value_proj.weight": w[2 * d:3 * d], prefix + "out_proj.weight": attn.out_proj.weight}


def enc_layer_params(prefix, l, d):
    p = attn_params(prefix + "attention.", l.self_attn, d)
    for ours, t in [("linear1", l.linear1), ("linear2", l.linear2), ("ln1", l.norm1), ("ln2", l.norm2)]:
        p[prefix + ours + ".weight"] = t.weight
        p[prefix + ours + ".bias"] = t.bias
    return p


def dec_layer_params(prefix, l, d):
    p = attn_params(prefix + "self_attention.", l.self_attn, d)
    p.update(attn_params(prefix + "cross_attention.", l.multihead_attn, d))
    for ours, t in [("linear1", l.linear1), ("linear2", l.linear2), ("ln1", l.norm1), ("ln2", l.norm2),
                    ("ln3", l.norm3)]:
        p[prefix + ours + ".weight"] = t.weight
        p[prefix + ours + ".bias"] = t.bias
    return p


def param_grads(y, cot, inputs, P):
    """Gradients for the inputs and every parameter in P (views of torch tensors)."""
    leaves = dict(inputs)
    bases = {}
    for k, t in P.items():
        base = t._base if t._base is not None else t
        bases[id(base)] = base
    g_in = torch.autograd.grad((y * cot).sum(), list(leaves.values()) + list(bases.values()), allow_unused=True)
    out = dict(zip(leaves, g_in[:len(leaves)]))
    base_grad = {i: gg for i, gg in zip(bases, g_in[len(leaves):])}
    for k, t in P.items():
        base = t._base if t._base is not None else t
        gb = base_grad[id(base)]
        if t._base is not None:  # a row block of in_proj_weight
            rows = t.shape[0]
            off = (t.storage_offset() - base.storage_offset()) // t.stride(0)
            out[k] = gb[off:off + rows]
        else:
            out[k] = gb
    return out


causal5 = torch.triu(torch.full((5, 5), -1e9, dtype=torch.float64), 1)
causal4 = torch.triu(torch.full((4, 4), -1e9, dtype=torch.float64), 1)
for norm_first in (True, False):
    torch.manual_seed(2)
    l = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    zero_attn_bias(l.self_attn)
    x = leaf(rnd(2, 5, 8))
    cot = rnd(2, 5, 8)
    y = l(x, src_mask=causal5)
    P = enc_layer_params("", l, 8)
    case("nn_encoder_layer_" + ("pre" if norm_first else "post"), {"x": x, "mask": causal5, "cot": cot}, {"y": y},
         params=P, grads=param_grads(y, cot, {"x": x}, P))

    torch.manual_seed(3)
    l = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    zero_attn_bias(l.self_attn)
    zero_attn_bias(l.multihead_attn)
    x, mem = leaf(rnd(2, 4, 8)), leaf(rnd(2, 5, 8))
    cot = rnd(2, 4, 8)
    y = l(x, mem, tgt_mask=causal4)
    P = dec_layer_params("", l, 8)
    case("nn_decoder_layer_" + ("pre" if norm_first else "post"), {"x": x, "memory": mem, "mask": causal4, "cot": cot},
         {"y": y}, params=P, grads=param_grads(y, cot, {"x": x, "memory": mem}, P))

torch.manual_seed(4)
t = torch.nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                         batch_first=True, norm_first=True).double()
P = {}
for i, l in enumerate(t.encoder.layers):
    zero_attn_bias(l.self_attn)
    P.update(enc_layer_params("encoder.layers.%d." % i, l, 8))
for i, l in enumerate(t.decoder.layers):
    zero_attn_bias(l.self_attn)
    zero_attn_bias(l.multihead_attn)
    P.update(dec_layer_params("decoder.layers.%d." % i, l, 8))
for side, norm in [("encoder", t.encoder.norm), ("decoder", t.decoder.norm)]:
    P[side + ".ln.weight"] = norm.weight
    P[side + ".ln.bias"] = norm.bias
src, tgt = leaf(rnd(2, 5, 8)), leaf(rnd(2, 4, 8))
cot = rnd(2, 4, 8)
y = t(src, tgt, tgt_mask=causal4)
case("nn_transformer", {"src": src, "tgt": tgt, "tgt_mask": causal4, "cot": cot}, {"y": y}, params=P,
     grads=param_grads(y, cot, {"src": src, "tgt": tgt}, P))


# ---- RNN / GRU / LSTM vs torch.nn.RNN / GRU / LSTMCell ----
torch.manual_seed(5)
x = leaf(rnd(2, 5, 6))
h0 = rnd(2, 4)
cot = rnd(2, 5, 4)
rnn = torch.nn.RNN(6, 4, batch_first=True).double()
for tag, h in [("", None), ("_h0", h0)]:
    y, _ = rnn(x, None if h is None else h[None])
    bih, bhh = rnn.bias_ih_l0, rnn.bias_hh_l0
    g = grads_of(y, cot, {"x": x, "Wxh": rnn.weight_ih_l0, "Whh": rnn.weight_hh_l0, "bias": bih})
    case("nn_rnn" + tag, {"x": x, "h0": h0, "cot": cot}, {"y": y},
         params={"Wxh": rnn.weight_ih_l0, "Whh": rnn.weight_hh_l0, "bias": bih + bhh}, grads=g)

gru = torch.nn.GRU(6, 4, batch_first=True).double()
for tag, h in [("", None), ("_h0", h0)]:
    y, _ = gru(x, None if h is None else h[None])
    bih, bhh = gru.bias_ih_l0, gru.bias_hh_l0
    b = bih + torch.cat([bhh[:8], torch.zeros(4, dtype=torch.float64)])
    g = grads_of(y, cot, {"x": x, "Wx": gru.weight_ih_l0, "Wh": gru.weight_hh_l0, "bih": bih, "bhh": bhh})
    case("nn_gru" + tag, {"x": x, "h0": h0, "cot": cot}, {"y": y},
         params={"Wx": gru.weight_ih_l0, "Wh": gru.weight_hh_l0, "b": b, "bhn": bhh[8:]},
         grads={"x": g["x"], "Wx": g["Wx"], "Wh": g["Wh"], "b": g["bih"], "bhn": g["bhh"][8:]})

cell = torch.nn.LSTMCell(6, 4).double()
c0 = rnd(2, 4)
cot_c = rnd(2, 5, 4)
for tag, (h, c) in [("", (None, None)), ("_h0", (h0, c0))]:
    hs, cs = [], []
    state = None if h is None else (h, c)
    for s in range(5):
        state = cell(x[:, s], state)
        hs.append(state[0])
        cs.append(state[1])
    H, C = torch.stack(hs, 1), torch.stack(cs, 1)
    loss = (H * cot).sum() + (C * cot_c).sum()
    leaves = {"x": x, "Wx": cell.weight_ih, "Wh": cell.weight_hh, "bias": cell.bias_ih}
    g = dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values()))))
    case("nn_lstm" + tag, {"x": x, "h0": h0, "c0": c0, "cot": cot, "cot_c": cot_c}, {"hidden": H, "cell": C},
         params={"Wx": cell.weight_ih, "Wh": cell.weight_hh, "bias": cell.bias_ih + cell.bias_hh}, grads=g)


# ---- InstanceNorm vs F.instance_norm (channels last <-> torch's channels first) ----
x = leaf(rnd(2, 3, 4, 5))
w, b = rnd(5), rnd(5)
cot = rnd(2, 3, 4, 5)
y = F.instance_norm(x.permute(0, 3, 1, 2), weight=w, bias=b, eps=1e-5).permute(0, 2, 3, 1)
case("nn_instance_norm", {"x": x, "w": w, "b": b, "cot": cot}, {"y": y}, grads=grads_of(y, cot, {"x": x}))


# ---- Upsample vs F.interpolate(scale_factor=...) ----
def interp(x, sf, mode, align):
    xt = x.movedim(-1, 1)
    kw = {} if mode == "nearest" else {"align_corners": align}
    return F.interpolate(xt, scale_factor=sf, mode=mode, **kw).movedim(1, -1)


x2 = leaf(rnd(1, 3, 4, 2))
x1 = leaf(rnd(2, 4, 3))
x3 = leaf(rnd(1, 2, 3, 2, 1))
for name, xx, sf, mode, ours, align in [
        ("nearest_2", x2, 2.0, "nearest", "nearest", False), ("nearest_1.5", x2, 1.5, "nearest", "nearest", False),
        ("nearest_1d_2.5", x1, 2.5, "nearest", "nearest", False),
        ("linear_2", x2, 2.0, "bilinear", "linear", False), ("linear_2_align", x2, 2.0, "bilinear", "linear", True),
        ("linear_1.7", x2, 1.7, "bilinear", "linear", False), ("linear_1d_2.5", x1, 2.5, "linear", "linear", False),
        ("linear_3d_2", x3, 2.0, "trilinear", "linear", False),
        ("cubic_2", x2, 2.0, "bicubic", "cubic", False), ("cubic_2_align", x2, 2.0, "bicubic", "cubic", True),
        ("cubic_1.5", x2, 1.5, "bicubic", "cubic", False)]:
    y = interp(xx, sf, mode, align)
    cot = rnd(*y.shape)
    case("nn_upsample_" + name, {"x": xx, "cot": cot}, {"y": y}, grads=grads_of(y, cot, {"x": xx}),
         extra={"scale": sf, "mode": ours, "align_corners": align})


# ---- SinusoidalPositionalEncoding and ALiBi (MLX's formulas, written here) ----
pos = torch.tensor([0.0, 1.5, 7.0, 100.0], dtype=torch.float64)
for tag, cos_first, full_turns in [("", False, False), ("_cos_first_full_turns", True, True)]:
    dims = 8
    one_zero = 1 - torch.arange(dims // 2, dtype=torch.float64) / (dims // 2 - 1)
    lo, hi = math.log(1e-4), math.log(1.0)
    sig = torch.exp(one_zero * (hi - lo) + lo) * (2 * math.pi if full_turns else 1.0)
    yy = pos[:, None] * sig
    parts = [torch.cos(yy), torch.sin(yy)] if cos_first else [torch.sin(yy), torch.cos(yy)]
    case("nn_sinusoidal" + tag, {"x": pos}, {"y": torch.cat(parts, -1) * math.sqrt(2 / dims)})


def alibi_slopes(n):
    def p2(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return p2(n)
    c = 2 ** math.floor(math.log2(n))
    return p2(c) + alibi_slopes(2 * c)[0::2][: n - c]


for heads, offset in [(4, 0), (3, 2)]:
    scores = rnd(1, heads, 3, 5)
    qi = torch.arange(offset, 3 + offset, dtype=torch.float64)[:, None]
    kj = torch.arange(5, dtype=torch.float64)[None]
    y = scores + (-(qi - kj).abs())[None, None] * torch.tensor(alibi_slopes(heads), dtype=torch.float64)[None, :, None, None]
    case("nn_alibi_%d_heads_offset_%d" % (heads, offset), {"scores": scores}, {"y": y}, extra={"offset": offset})

# ---- Conv3d, ConvTranspose1d/2d/3d, MaxPool3d, AvgPool3d (nn/layers/{conv,pooling}.hpp) ----
# Ours are channels last: x (N, spatial..., C). Conv weights are MLX's (C_out, k..., C_in);
# torch's conv weight is (C_out, C_in, k...) and its transposed-conv weight (C_in, C_out, k...).
# The weight is a leaf in our layout and permuted into torch's inside the graph, so the stored
# gradients are in our layout. Tensors stay tiny to keep the json small.
torch.manual_seed(6)


def to_cf(t):  # (N, spatial..., C) -> (N, C, spatial...)
    return t.movedim(-1, 1)


def to_cl(t):  # (N, C, spatial...) -> (N, spatial..., C)
    return t.movedim(1, -1)


def conv_case(name, d, x_shape, c_out, kernel, transposed, **kw):
    """kw: stride, padding, dilation (and output_padding when transposed), per axis."""
    c_in = x_shape[-1]
    x = leaf(rnd(*x_shape))
    w = leaf(rnd(c_out, *kernel, c_in, scale=0.5))
    b = leaf(rnd(c_out))
    if transposed:
        wt = w.movedim(-1, 0)  # (C_out, k..., C_in) -> (C_in, C_out, k...)
        fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[d]
    else:
        wt = w.movedim(-1, 1)  # (C_out, k..., C_in) -> (C_out, C_in, k...)
        fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[d]
    y = to_cl(fn(to_cf(x), wt, b, **kw))
    cot = rnd(*y.shape)
    case(name, {"x": x, "cot": cot}, {"y": y}, params={"weight": w, "bias": b},
         grads=grads_of(y, cot, {"x": x, "weight": w, "bias": b}), extra={k: list(v) for k, v in kw.items()})


conv_case("nn_conv3d", 3, (2, 4, 5, 3, 2), 3, (2, 3, 2), False, stride=(1, 2, 1), padding=(1, 0, 1),
          dilation=(2, 1, 1))
conv_case("nn_conv_transpose1d", 1, (2, 5, 4), 3, (3,), True, stride=(2,), padding=(1,), dilation=(2,),
          output_padding=(1,))
conv_case("nn_conv_transpose2d", 2, (1, 3, 4, 2), 3, (3, 2), True, stride=(2, 1), padding=(1, 0),
          dilation=(1, 2), output_padding=(1, 1))
conv_case("nn_conv_transpose3d", 3, (1, 2, 3, 2, 2), 2, (2, 2, 3), True, stride=(2, 1, 2), padding=(0, 1, 1),
          dilation=(1, 2, 1), output_padding=(1, 0, 1))

# Pooling: kernel == stride tiling the input (our reshape path) and overlapping, padded
# windows (our as_strided path). AvgPool counts the zero padding (count_include_pad, MLX's).
xp = leaf(rnd(1, 4, 6, 4, 2))
for tag, kw in [("tiled", {"kernel_size": (2, 2, 2), "stride": (2, 2, 2), "padding": (0, 0, 0)}),
                ("overlap", {"kernel_size": (2, 3, 2), "stride": (2, 1, 2), "padding": (1, 1, 0)})]:
    for kind, fn in [("max", F.max_pool3d), ("avg", F.avg_pool3d)]:
        y = to_cl(fn(to_cf(xp), **kw))
        cot = rnd(*y.shape)
        case("nn_%s_pool3d_%s" % (kind, tag), {"x": xp, "cot": cot}, {"y": y}, grads=grads_of(y, cot, {"x": xp}),
             extra={k: list(v) for k, v in kw.items()})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_fixtures.json")
with open(path, "w") as f:
    json.dump(OUT, f, separators=(",", ":"))
print("wrote", path, os.path.getsize(path), "bytes,", len(OUT), "cases")

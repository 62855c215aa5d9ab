#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reference values for the Adafactor and Muon tests in optimizers_test.cpp.

NumPy in float64, written from the update formulas of MLX's python/mlx/optimizers/
optimizers.py (Adafactor.apply_single and Muon.apply_single); PyTorch 1.13 here has neither
optimizer. The inputs are the tests' float32 values widened to float64. Run with
/usr/bin/python3 (it has NumPy) and paste the printed values into the test.
"""
import numpy as np

np.set_printoptions(precision=12, floatmode="maxprec")


def f32(values, shape=None):
    a = np.array(values, dtype=np.float32).astype(np.float64)
    return a.reshape(shape) if shape is not None else a


# The tests' parameters and gradients (t = 1, 2, 3), built in float32 as the C++ does.
P1 = f32([1.0, -2.0, 0.5])
P6 = [1.0, -2.0, 0.5, 0.3, 0.8, -1.2]
P12 = P6 + [-0.7, 0.2, 1.5, -0.4, 0.9, 0.6]


def g3(t):
    t = np.float32(t)
    return [np.float32(0.1) * t, np.float32(-0.3), np.float32(0.2) - np.float32(0.05) * t]


def g6(t):
    t = np.float32(t)
    return g3(t) + [np.float32(0.4), np.float32(-0.1) * t, np.float32(0.25) + np.float32(0.05) * t]


def g12(t):
    t = np.float32(t)
    return g6(t) + [np.float32(0.15) * t, np.float32(0.35), np.float32(-0.2) * t,
                    np.float32(0.05), np.float32(0.3) - np.float32(0.1) * t, np.float32(-0.45)]


def rms(x):
    return np.sqrt(np.mean(np.square(x)))


# ---- Adafactor ---------------------------------------------------------------------------
def adafactor(p, grads, lr=None, eps=(1e-30, 1e-3), clip_threshold=1.0, decay_rate=-0.8,
              beta_1=None, weight_decay=0.0, scale_parameter=True, relative_step=True,
              warmup_init=False):
    p = p.copy()
    st = {}
    if p.ndim >= 2:
        st["exp_avg_sq_row"] = np.zeros(p.shape[:-1])
        st["exp_avg_sq_col"] = np.zeros(p.shape[:-2] + p.shape[-1:])
    else:
        st["exp_avg_sq"] = np.zeros_like(p)
    if beta_1 is not None:
        st["exp_avg"] = np.zeros_like(p)
    states = []
    for i, g in enumerate(grads):
        step = i + 1  # MLX's optimizer.step after its increment
        if relative_step:
            min_step = 1e-6 * step if warmup_init else 1e-2
            rel = min(min_step, 1.0 / np.sqrt(step))
        else:
            rel = lr  # a constant learning rate (the schedule at step - 1)
        scale = max(eps[1], rms(p)) if scale_parameter else 1.0
        a_lr = scale * rel
        beta_2 = 1.0 - step ** decay_rate
        u = np.square(g) + eps[0]
        if p.ndim >= 2:
            st["exp_avg_sq_row"] = beta_2 * st["exp_avg_sq_row"] + (1 - beta_2) * u.mean(-1)
            st["exp_avg_sq_col"] = beta_2 * st["exp_avg_sq_col"] + (1 - beta_2) * u.mean(-2)
            r = st["exp_avg_sq_row"]
            r_factor = 1 / np.sqrt(r / r.mean(-1, keepdims=True))
            c_factor = 1 / np.sqrt(st["exp_avg_sq_col"])
            # MLX: matmul(expand_dims(r, -1), expand_dims(c, 0)); the same outer product
            # for 2-D (and leading dimensions of 1), broadcast per matrix beyond that.
            u = (r_factor[..., :, None] * c_factor[..., None, :]) * g
        else:
            st["exp_avg_sq"] = beta_2 * st["exp_avg_sq"] + (1 - beta_2) * u
            u = g / np.sqrt(st["exp_avg_sq"])
        u = u / max(1.0, rms(u) / clip_threshold)
        u = a_lr * u
        if beta_1 is not None:
            st["exp_avg"] = beta_1 * st["exp_avg"] + (1 - beta_1) * u
            u = st["exp_avg"]
        if weight_decay != 0:
            p = p + p * (-weight_decay * a_lr)
        p = p - u
        states.append({k: v.copy() for k, v in st.items()})
    return p, states


# ---- Muon --------------------------------------------------------------------------------
def newton_schulz5(x, steps):
    a, b, c = 3.4445, -4.7750, 2.0315
    tr = x.shape[-2] > x.shape[-1]
    if tr:
        x = x.T
    x = x / (np.linalg.norm(x) + 1e-7)  # Frobenius norm of the whole matrix
    for _ in range(steps):
        A = x @ x.T
        B = b * A + c * (A @ A)
        x = a * x + B @ x
    return x.T if tr else x


def muon(p, grads, lr, momentum=0.95, weight_decay=0.01, nesterov=True, ns_steps=5):
    p = p.copy()
    v = np.zeros_like(p)
    for g in grads:
        if weight_decay != 0:
            g = g + weight_decay * p
        v = momentum * v + (1 - momentum) * g
        u = g * (1 - momentum) + v * momentum if nesterov else v
        step_lr = lr
        if u.ndim >= 2:
            shape = u.shape
            u = newton_schulz5(u.reshape(shape[0], -1), ns_steps).reshape(shape)
            # MLX scales by the last two axes of the parameter's own shape.
            step_lr = lr * max(1, shape[-2] / shape[-1]) ** 0.5
        p = p - step_lr * u
    return p, v


def show(name, x):
    print(f"{name}: {{{', '.join(f'{v:.12g}' for v in np.ravel(x))}}}")


if __name__ == "__main__":
    G1 = [f32(g3(t)) for t in (1, 2, 3)]
    G23 = [f32(g6(t), (2, 3)) for t in (1, 2, 3)]
    P23 = f32(P6, (2, 3))

    print("# Adafactor, defaults (relative step, parameter scaling)")
    p, s = adafactor(P23, G23)
    show("2-D p3", p)
    show("2-D row after step 1", s[0]["exp_avg_sq_row"])
    show("2-D col after step 1", s[0]["exp_avg_sq_col"])
    p, s = adafactor(P1, G1)
    show("1-D p3", p)
    show("1-D exp_avg_sq after step 1", s[0]["exp_avg_sq"])
    p, _ = adafactor(P23, G23, clip_threshold=100.0)
    show("2-D clip_threshold=100 (no clipping) p3", p)
    P223 = f32(P12, (2, 2, 3))
    G223 = [f32(g12(t), (2, 2, 3)) for t in (1, 2, 3)]
    p, _ = adafactor(P223, G223)
    show("(2,2,3) p3", p)

    print("# Adafactor(lr=0.1, clip_threshold=0.5, beta_1=0.9, weight_decay=0.1,")
    print("#           scale_parameter=False, relative_step=False)")
    kw = dict(lr=np.float32(0.1).item(), clip_threshold=0.5, beta_1=0.9, weight_decay=0.1,
              scale_parameter=False, relative_step=False)
    p, s = adafactor(P23, G23, **kw)
    show("2-D p3", p)
    show("2-D exp_avg after step 1", s[0]["exp_avg"])
    p, s = adafactor(P1, G1, **kw)
    show("1-D p3", p)

    print("# Adafactor(warmup_init=True): p3 - p0")
    p, _ = adafactor(P23, G23, warmup_init=True)
    show("2-D delta", p - P23)

    print("# Muon(lr=0.1), defaults: momentum 0.95, weight_decay 0.01, nesterov, 5 steps")
    P32 = f32(P6, (3, 2))
    G32 = [f32(g6(t), (3, 2)) for t in (1, 2, 3)]
    p, v = muon(P32, G32, 0.1)
    show("(3,2) p3 (transposed, lr * sqrt(1.5))", p)
    p, v = muon(P23, G23, 0.1, nesterov=False)
    show("(2,3) nesterov=False p3", p)
    P232 = f32(P12, (2, 3, 2))
    G232 = [f32(g12(t), (2, 3, 2)) for t in (1, 2, 3)]
    p, v = muon(P232, G232, 0.1)
    show("(2,3,2) p3 (as (2,6), lr * sqrt(3/2))", p)
    p, v = muon(P1, G1, 0.1)
    show("1-D p3", p)
    show("1-D v after 3 steps", v)
    p, v = muon(P1, G1[:1], 0.1)
    show("1-D v after step 1", v)

// SPDX-License-Identifier: MIT
// Tests of mlx::core::linalg: known values (generated once with NumPy 1.24, float64, and
// pasted below), factorization properties, batches, strided inputs and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "../array_values.hpp"
#include "../error_message.hpp"
#include "mlx/linalg/linalg.hpp"
#include "mlx/mlx.hpp"

namespace {

using namespace mlx::core;
using mlxtest::invalid_argument_message;
using mlxtest::runtime_error_message;
using mlxtest::to_doubles;
using Vec = std::vector<double>;
using CVec = std::vector<std::complex<double>>;

struct NormCase {
  Shape shape;
  std::variant<double, std::string> ord;
  std::vector<int> axis;
  bool keepdims;
  Shape out_shape;
  Vec expected;
};

// ---- fixtures (NumPy) ------------------------------------------------------------------
const std::vector<double> kA3 = {1.0, 2.0, 3.0, 6.0, -5.0, 4.0, -9.0, 8.0, 7.0};
const std::vector<double> kA3inv = {0.31308411214953263, -0.0467289719626168, -0.1074766355140187, 0.36448598130841114, -0.1588785046728972, -0.06542056074766357, -0.014018691588785036, 0.12149532710280375, 0.07943925233644861};
const std::vector<double> kM43 = {-1.66, -1.05, 1.21, 0.33, -1.62, -0.27, -0.08, -1.36, 0.94, -1.55, -0.44, 0.07};
const std::vector<double> kM43q = {-0.7228742098719956, -0.1879036861763581, -0.36459036224593006, 0.14370390919142084, -0.7794862464574637, 0.5421869775059185, -0.03483731131913232, -0.5939239046626309, -0.5369949033579684, -0.6749729068081888, 0.06593778715793663, 0.5336137394669898};
const std::vector<double> kM43r = {2.2963884688789045, 0.8705844098651163, -0.9934730255433557, 0.0, 2.2387904737379527, -0.5705749990116955, 0.0, 0.0, -1.0549670696379743};
const std::vector<double> kM34q = {-0.7195525104287832, 0.35919168109445854, 0.5943277891603018, -0.4551386361145918, -0.8903263681962129, -0.012952992329606852, 0.524493094951101, -0.2798218975117539, 0.8041185851735655};
const std::vector<double> kM34r = {2.306989380122934, 0.358259126427343, 1.1695762552041824, 1.3522819077016115, 0.0, 1.6364138835672097, 0.9190759425982442, -0.1845910365158998, 0.0, 0.0, 0.7259413164985927, -0.8592204556112915};
const std::vector<double> kM43s = {3.0022582414819388, 1.879156648546974, 0.9613614001380965};
const std::vector<double> kM43pinv = {-0.16684716207618938, 0.02188883477282682, 0.25643451668031947, -0.4750484882663988, 0.00414672543258254, -0.47915428469192217, -0.1355607952464713, -0.09945781583658321, 0.34559406898932316, -0.5139373475344374, 0.509015796618415, -0.5058108018955575};
const std::vector<double> kRank1 = {1.0, 2.0, 2.0, 4.0, 3.0, 6.0};
const std::vector<double> kRank1pinv = {0.014285714285714285, 0.028571428571428564, 0.042857142857142844, 0.028571428571428577, 0.05714285714285714, 0.0857142857142857};
const std::vector<double> kSpd = {4.0, 2.0, -2.0, 2.0, 10.0, 4.0, -2.0, 4.0, 9.0};
const std::vector<double> kSpdL = {2.0, 0.0, 0.0, 1.0, 3.0, 0.0, -1.0, 1.6666666666666665, 2.2852182001336816};
const std::vector<double> kSpdInv = {0.39361702127659576, -0.13829787234042554, 0.14893617021276595, -0.13829787234042554, 0.1702127659574468, -0.10638297872340424, 0.14893617021276595, -0.10638297872340426, 0.19148936170212766};
const std::vector<double> kSpdW = {1.8158505197872312, 7.649406538474656, 13.53474294173811};
const std::vector<double> kSpdV = {0.7912111463418927, 0.6111974012447018, 0.020558662798702998, -0.4135429501180239, 0.50997135967431, 0.7542621830104018, 0.45051875689257315, -0.6052825365262559, 0.6562514005046483};
const std::vector<double> kE = {1.0, 2.0, 0.0, -2.0, 1.0, 0.0, 0.0, 0.0, 3.0};
const std::vector<double> kEwRe = {1.0, 1.0, 3.0};
const std::vector<double> kEwIm = {2.0000000000000004, -2.0000000000000004, 0.0};
const std::vector<double> kA3wRe = {-7.490060958631874, 5.245030479315938, 5.245030479315938};
const std::vector<double> kA3wIm = {0.0, 1.0299763642743704, -1.0299763642743704};
const std::vector<double> kA3solveb = {-0.10280373831775706, -0.14953271028037393, 0.4672897196261683};
const std::vector<double> kA3solveB = {-0.10280373831775705, 0.06074766355140187, -0.1495327102803739, -0.09345794392523364, 0.4672897196261683, 0.042056074766355145};
const std::vector<double> kLt = {4.0, 0.0, 0.0, 2.0, 3.0, 0.0, 1.0, -2.0, 5.0};
const std::vector<double> kLtsolve = {2.0, 3.3333333333333335, 1.5333333333333332};
const std::vector<double> kLtinv = {0.25, 0.0, 0.0, -0.16666666666666666, 0.3333333333333333, 0.0, -0.11666666666666665, 0.13333333333333333, 0.2};
const std::vector<double> kCross = {-3.0, 6.0, -3.0, 3.0, -6.0, 3.0};
const std::vector<double> kCross2 = {10.0, -5.0, -2.0};
const std::vector<NormCase> kNormCases = {
  {{3}, 0.5, {0}, false, {}, {17.191508225450303}},
  {{3}, 0.0, {0}, false, {}, {3.0}},
  {{3}, 1.0, {0}, false, {}, {6.0}},
  {{3}, 2.0, {0}, false, {}, {3.7416573867739413}},
  {{3}, 3.0, {0}, false, {}, {3.3019272488946263}},
  {{3}, -1.0, {0}, false, {}, {0.5454545454545455}},
  {{3}, INFINITY, {0}, false, {}, {3.0}},
  {{3}, -INFINITY, {0}, false, {}, {1.0}},
  {{3}, 0.5, {0}, true, {1}, {17.191508225450303}},
  {{3}, 0.0, {0}, true, {1}, {3.0}},
  {{3}, 1.0, {0}, true, {1}, {6.0}},
  {{3}, 2.0, {0}, true, {1}, {3.7416573867739413}},
  {{3}, 3.0, {0}, true, {1}, {3.3019272488946263}},
  {{3}, -1.0, {0}, true, {1}, {0.5454545454545455}},
  {{3}, INFINITY, {0}, true, {1}, {3.0}},
  {{3}, -INFINITY, {0}, true, {1}, {1.0}},
  {{2,3}, 0.5, {0}, false, {3}, {9.0, 13.324555320336758, 17.48528137423857}},
  {{2,3}, 0.0, {0}, false, {3}, {2.0, 2.0, 2.0}},
  {{2,3}, 1.0, {0}, false, {3}, {5.0, 7.0, 9.0}},
  {{2,3}, 2.0, {0}, false, {3}, {4.123105625617661, 5.385164807134504, 6.708203932499369}},
  {{2,3}, 3.0, {0}, false, {3}, {4.020725758589058, 5.104468722001463, 6.240251469155711}},
  {{2,3}, -1.0, {0}, false, {3}, {0.8, 1.4285714285714286, 2.0}},
  {{2,3}, INFINITY, {0}, false, {3}, {4.0, 5.0, 6.0}},
  {{2,3}, -INFINITY, {0}, false, {3}, {1.0, 2.0, 3.0}},
  {{2,3}, 0.5, {0}, true, {1,3}, {9.0, 13.324555320336758, 17.48528137423857}},
  {{2,3}, 0.0, {0}, true, {1,3}, {2.0, 2.0, 2.0}},
  {{2,3}, 1.0, {0}, true, {1,3}, {5.0, 7.0, 9.0}},
  {{2,3}, 2.0, {0}, true, {1,3}, {4.123105625617661, 5.385164807134504, 6.708203932499369}},
  {{2,3}, 3.0, {0}, true, {1,3}, {4.020725758589058, 5.104468722001463, 6.240251469155711}},
  {{2,3}, -1.0, {0}, true, {1,3}, {0.8, 1.4285714285714286, 2.0}},
  {{2,3}, INFINITY, {0}, true, {1,3}, {4.0, 5.0, 6.0}},
  {{2,3}, -INFINITY, {0}, true, {1,3}, {1.0, 2.0, 3.0}},
  {{2,3}, 0.5, {1}, false, {2}, {17.191508225450303, 44.69668203123519}},
  {{2,3}, 0.0, {1}, false, {2}, {3.0, 3.0}},
  {{2,3}, 1.0, {1}, false, {2}, {6.0, 15.0}},
  {{2,3}, 2.0, {1}, false, {2}, {3.7416573867739413, 8.774964387392123}},
  {{2,3}, 3.0, {1}, false, {2}, {3.3019272488946263, 7.398636222991409}},
  {{2,3}, -1.0, {1}, false, {2}, {0.5454545454545455, 1.6216216216216215}},
  {{2,3}, INFINITY, {1}, false, {2}, {3.0, 6.0}},
  {{2,3}, -INFINITY, {1}, false, {2}, {1.0, 4.0}},
  {{2,3}, 0.5, {1}, true, {2,1}, {17.191508225450303, 44.69668203123519}},
  {{2,3}, 0.0, {1}, true, {2,1}, {3.0, 3.0}},
  {{2,3}, 1.0, {1}, true, {2,1}, {6.0, 15.0}},
  {{2,3}, 2.0, {1}, true, {2,1}, {3.7416573867739413, 8.774964387392123}},
  {{2,3}, 3.0, {1}, true, {2,1}, {3.3019272488946263, 7.398636222991409}},
  {{2,3}, -1.0, {1}, true, {2,1}, {0.5454545454545455, 1.6216216216216215}},
  {{2,3}, INFINITY, {1}, true, {2,1}, {3.0, 6.0}},
  {{2,3}, -INFINITY, {1}, true, {2,1}, {1.0, 4.0}},
  {{2,3}, std::string("fro"), {0,1}, false, {}, {9.539392014169456}},
  {{2,3}, std::string("nuc"), {0,1}, false, {}, {10.280901636369208}},
  {{2,3}, -1.0, {0,1}, false, {}, {5.0}},
  {{2,3}, 1.0, {0,1}, false, {}, {9.0}},
  {{2,3}, -2.0, {0,1}, false, {}, {0.7728696356734843}},
  {{2,3}, 2.0, {0,1}, false, {}, {9.508032000695724}},
  {{2,3}, INFINITY, {0,1}, false, {}, {15.0}},
  {{2,3}, -INFINITY, {0,1}, false, {}, {6.0}},
  {{2,3}, std::string("fro"), {0,1}, true, {1,1}, {9.539392014169456}},
  {{2,3}, std::string("nuc"), {0,1}, true, {1,1}, {10.280901636369208}},
  {{2,3}, -1.0, {0,1}, true, {1,1}, {5.0}},
  {{2,3}, 1.0, {0,1}, true, {1,1}, {9.0}},
  {{2,3}, -2.0, {0,1}, true, {1,1}, {0.7728696356734843}},
  {{2,3}, 2.0, {0,1}, true, {1,1}, {9.508032000695724}},
  {{2,3}, INFINITY, {0,1}, true, {1,1}, {15.0}},
  {{2,3}, -INFINITY, {0,1}, true, {1,1}, {6.0}},
  {{2,3}, std::string("fro"), {1,0}, false, {}, {9.539392014169456}},
  {{2,3}, std::string("nuc"), {1,0}, false, {}, {10.28090163636921}},
  {{2,3}, -1.0, {1,0}, false, {}, {6.0}},
  {{2,3}, 1.0, {1,0}, false, {}, {15.0}},
  {{2,3}, -2.0, {1,0}, false, {}, {0.772869635673485}},
  {{2,3}, 2.0, {1,0}, false, {}, {9.508032000695724}},
  {{2,3}, INFINITY, {1,0}, false, {}, {9.0}},
  {{2,3}, -INFINITY, {1,0}, false, {}, {5.0}},
  {{2,3}, std::string("fro"), {1,0}, true, {1,1}, {9.539392014169456}},
  {{2,3}, std::string("nuc"), {1,0}, true, {1,1}, {10.28090163636921}},
  {{2,3}, -1.0, {1,0}, true, {1,1}, {6.0}},
  {{2,3}, 1.0, {1,0}, true, {1,1}, {15.0}},
  {{2,3}, -2.0, {1,0}, true, {1,1}, {0.772869635673485}},
  {{2,3}, 2.0, {1,0}, true, {1,1}, {9.508032000695724}},
  {{2,3}, INFINITY, {1,0}, true, {1,1}, {9.0}},
  {{2,3}, -INFINITY, {1,0}, true, {1,1}, {5.0}},
  {{2,3,3}, 0.5, {0}, false, {3,3}, {17.324555320336763, 22.380831519646858, 27.0, 31.422205101855962, 35.73320053068151, 39.973665961010276, 44.166010488516726, 48.32380757938121, 52.4558441227157}},
  {{2,3,3}, 0.0, {0}, false, {3,3}, {2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0}},
  {{2,3,3}, 1.0, {0}, false, {3,3}, {11.0, 13.0, 15.0, 17.0, 19.0, 21.0, 23.0, 25.0, 27.0}},
  {{2,3,3}, 2.0, {0}, false, {3,3}, {10.04987562112089, 11.180339887498949, 12.36931687685298, 13.601470508735444, 14.866068747318506, 16.15549442140351, 17.46424919657298, 18.788294228055936, 20.12461179749811}},
  {{2,3,3}, 3.0, {0}, false, {3,3}, {10.003332222839093, 11.021994559939085, 12.062177275767173, 13.12502645497313, 14.209436298843826, 15.313406166004386, 16.434697508311757, 17.571138993493474, 18.720754407467133}},
  {{2,3,3}, -1.0, {0}, false, {3,3}, {0.9090909090909091, 1.6923076923076923, 2.4000000000000004, 3.0588235294117645, 3.684210526315789, 4.285714285714286, 4.869565217391305, 5.4399999999999995, 6.0}},
  {{2,3,3}, INFINITY, {0}, false, {3,3}, {10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0}},
  {{2,3,3}, -INFINITY, {0}, false, {3,3}, {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0}},
  {{2,3,3}, 0.5, {0}, true, {1,3,3}, {17.324555320336763, 22.380831519646858, 27.0, 31.422205101855962, 35.73320053068151, 39.973665961010276, 44.166010488516726, 48.32380757938121, 52.4558441227157}},
  {{2,3,3}, 0.0, {0}, true, {1,3,3}, {2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0}},
  {{2,3,3}, 1.0, {0}, true, {1,3,3}, {11.0, 13.0, 15.0, 17.0, 19.0, 21.0, 23.0, 25.0, 27.0}},
  {{2,3,3}, 2.0, {0}, true, {1,3,3}, {10.04987562112089, 11.180339887498949, 12.36931687685298, 13.601470508735444, 14.866068747318506, 16.15549442140351, 17.46424919657298, 18.788294228055936, 20.12461179749811}},
  {{2,3,3}, 3.0, {0}, true, {1,3,3}, {10.003332222839093, 11.021994559939085, 12.062177275767173, 13.12502645497313, 14.209436298843826, 15.313406166004386, 16.434697508311757, 17.571138993493474, 18.720754407467133}},
  {{2,3,3}, -1.0, {0}, true, {1,3,3}, {0.9090909090909091, 1.6923076923076923, 2.4000000000000004, 3.0588235294117645, 3.684210526315789, 4.285714285714286, 4.869565217391305, 5.4399999999999995, 6.0}},
  {{2,3,3}, INFINITY, {0}, true, {1,3,3}, {10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0}},
  {{2,3,3}, -INFINITY, {0}, true, {1,3,3}, {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0}},
  {{2,3,3}, 0.5, {1}, false, {2,3}, {31.874507866387546, 41.97366596101028, 51.574524676350904, 115.94613998704173, 125.02343319541939, 134.09004609370558}},
  {{2,3,3}, 0.0, {1}, false, {2,3}, {3.0, 3.0, 3.0, 3.0, 3.0, 3.0}},
  {{2,3,3}, 1.0, {1}, false, {2,3}, {12.0, 15.0, 18.0, 39.0, 42.0, 45.0}},
  {{2,3,3}, 2.0, {1}, false, {2,3}, {8.12403840463596, 9.643650760992955, 11.224972160321824, 22.9128784747792, 24.61706725018234, 26.324893162176366}},
  {{2,3,3}, 3.0, {1}, false, {2,3}, {7.416859538532378, 8.640122597711686, 9.905781746683878, 19.392571641428553, 20.791589301673874, 22.195908668974226}},
  {{2,3,3}, -1.0, {1}, false, {2,3}, {0.717948717948718, 1.2121212121212122, 1.6363636363636362, 4.1767068273092365, 4.521588946459413, 4.864864864864865}},
  {{2,3,3}, INFINITY, {1}, false, {2,3}, {7.0, 8.0, 9.0, 16.0, 17.0, 18.0}},
  {{2,3,3}, -INFINITY, {1}, false, {2,3}, {1.0, 2.0, 3.0, 10.0, 11.0, 12.0}},
  {{2,3,3}, 0.5, {1}, true, {2,1,3}, {31.874507866387546, 41.97366596101028, 51.574524676350904, 115.94613998704173, 125.02343319541939, 134.09004609370558}},
  {{2,3,3}, 0.0, {1}, true, {2,1,3}, {3.0, 3.0, 3.0, 3.0, 3.0, 3.0}},
  {{2,3,3}, 1.0, {1}, true, {2,1,3}, {12.0, 15.0, 18.0, 39.0, 42.0, 45.0}},
  {{2,3,3}, 2.0, {1}, true, {2,1,3}, {8.12403840463596, 9.643650760992955, 11.224972160321824, 22.9128784747792, 24.61706725018234, 26.324893162176366}},
  {{2,3,3}, 3.0, {1}, true, {2,1,3}, {7.416859538532378, 8.640122597711686, 9.905781746683878, 19.392571641428553, 20.791589301673874, 22.195908668974226}},
  {{2,3,3}, -1.0, {1}, true, {2,1,3}, {0.717948717948718, 1.2121212121212122, 1.6363636363636362, 4.1767068273092365, 4.521588946459413, 4.864864864864865}},
  {{2,3,3}, INFINITY, {1}, true, {2,1,3}, {7.0, 8.0, 9.0, 16.0, 17.0, 18.0}},
  {{2,3,3}, -INFINITY, {1}, true, {2,1,3}, {1.0, 2.0, 3.0, 10.0, 11.0, 12.0}},
  {{2,3,3}, 0.5, {2}, false, {2,3}, {17.191508225450303, 44.69668203123519, 71.81170016196046, 98.86332984976178, 125.89270870638086, 152.91168187096736}},
  {{2,3,3}, 0.0, {2}, false, {2,3}, {3.0, 3.0, 3.0, 3.0, 3.0, 3.0}},
  {{2,3,3}, 1.0, {2}, false, {2,3}, {6.0, 15.0, 24.0, 33.0, 42.0, 51.0}},
  {{2,3,3}, 2.0, {2}, false, {2,3}, {3.7416573867739413, 8.774964387392123, 13.92838827718412, 19.1049731745428, 24.289915602982237, 29.478805945967352}},
  {{2,3,3}, 3.0, {2}, false, {2,3}, {3.3019272488946263, 7.398636222991409, 11.656953366502911, 15.951677119795223, 20.259940250081456, 24.574671531075115}},
  {{2,3,3}, -1.0, {2}, false, {2,3}, {0.5454545454545455, 1.6216216216216215, 2.6387434554973823, 3.6464088397790055, 4.650766609880749, 5.653579676674365}},
  {{2,3,3}, INFINITY, {2}, false, {2,3}, {3.0, 6.0, 9.0, 12.0, 15.0, 18.0}},
  {{2,3,3}, -INFINITY, {2}, false, {2,3}, {1.0, 4.0, 7.0, 10.0, 13.0, 16.0}},
  {{2,3,3}, 0.5, {2}, true, {2,3,1}, {17.191508225450303, 44.69668203123519, 71.81170016196046, 98.86332984976178, 125.89270870638086, 152.91168187096736}},
  {{2,3,3}, 0.0, {2}, true, {2,3,1}, {3.0, 3.0, 3.0, 3.0, 3.0, 3.0}},
  {{2,3,3}, 1.0, {2}, true, {2,3,1}, {6.0, 15.0, 24.0, 33.0, 42.0, 51.0}},
  {{2,3,3}, 2.0, {2}, true, {2,3,1}, {3.7416573867739413, 8.774964387392123, 13.92838827718412, 19.1049731745428, 24.289915602982237, 29.478805945967352}},
  {{2,3,3}, 3.0, {2}, true, {2,3,1}, {3.3019272488946263, 7.398636222991409, 11.656953366502911, 15.951677119795223, 20.259940250081456, 24.574671531075115}},
  {{2,3,3}, -1.0, {2}, true, {2,3,1}, {0.5454545454545455, 1.6216216216216215, 2.6387434554973823, 3.6464088397790055, 4.650766609880749, 5.653579676674365}},
  {{2,3,3}, INFINITY, {2}, true, {2,3,1}, {3.0, 6.0, 9.0, 12.0, 15.0, 18.0}},
  {{2,3,3}, -INFINITY, {2}, true, {2,3,1}, {1.0, 4.0, 7.0, 10.0, 13.0, 16.0}},
  {{2,3,3}, std::string("fro"), {0,1}, false, {3}, {24.310491562286437, 26.43860813280457, 28.61817604250837}},
  {{2,3,3}, std::string("nuc"), {0,1}, false, {3}, {26.893725032250405, 28.83179574896943, 30.84270490910762}},
  {{2,3,3}, -1.0, {0,1}, false, {3}, {11.0, 13.0, 15.0}},
  {{2,3,3}, 1.0, {0,1}, false, {3}, {23.0, 25.0, 27.0}},
  {{2,3,3}, -2.0, {0,1}, false, {3}, {2.737899519063948, 2.5128777336789767, 2.318608907020452}},
  {{2,3,3}, 2.0, {0,1}, false, {3}, {24.155825513186457, 26.318918015290453, 28.52409600208717}},
  {{2,3,3}, INFINITY, {0,1}, false, {3}, {39.0, 42.0, 45.0}},
  {{2,3,3}, -INFINITY, {0,1}, false, {3}, {12.0, 15.0, 18.0}},
  {{2,3,3}, std::string("fro"), {0,1}, true, {1,1,3}, {24.310491562286437, 26.43860813280457, 28.61817604250837}},
  {{2,3,3}, std::string("nuc"), {0,1}, true, {1,1,3}, {26.893725032250405, 28.83179574896943, 30.84270490910762}},
  {{2,3,3}, -1.0, {0,1}, true, {1,1,3}, {11.0, 13.0, 15.0}},
  {{2,3,3}, 1.0, {0,1}, true, {1,1,3}, {23.0, 25.0, 27.0}},
  {{2,3,3}, -2.0, {0,1}, true, {1,1,3}, {2.737899519063948, 2.5128777336789767, 2.318608907020452}},
  {{2,3,3}, 2.0, {0,1}, true, {1,1,3}, {24.155825513186457, 26.318918015290453, 28.52409600208717}},
  {{2,3,3}, INFINITY, {0,1}, true, {1,1,3}, {39.0, 42.0, 45.0}},
  {{2,3,3}, -INFINITY, {0,1}, true, {1,1,3}, {12.0, 15.0, 18.0}},
  {{2,3,3}, std::string("fro"), {0,2}, false, {3}, {19.467922333931785, 25.826343140289914, 32.60368077380221}},
  {{2,3,3}, std::string("nuc"), {0,2}, false, {3}, {20.56917147991375, 26.666286118807353, 33.27297424893207}},
  {{2,3,3}, -1.0, {0,2}, false, {3}, {11.0, 17.0, 23.0}},
  {{2,3,3}, 1.0, {0,2}, false, {3}, {15.0, 21.0, 27.0}},
  {{2,3,3}, -2.0, {0,2}, false, {3}, {1.1343236586022813, 0.8540687284496464, 0.6763086744149334}},
  {{2,3,3}, 2.0, {0,2}, false, {3}, {19.434847821311468, 25.812217390357706, 32.59666557451714}},
  {{2,3,3}, INFINITY, {0,2}, false, {3}, {33.0, 42.0, 51.0}},
  {{2,3,3}, -INFINITY, {0,2}, false, {3}, {6.0, 15.0, 24.0}},
  {{2,3,3}, std::string("fro"), {0,2}, true, {1,3,1}, {19.467922333931785, 25.826343140289914, 32.60368077380221}},
  {{2,3,3}, std::string("nuc"), {0,2}, true, {1,3,1}, {20.56917147991375, 26.666286118807353, 33.27297424893207}},
  {{2,3,3}, -1.0, {0,2}, true, {1,3,1}, {11.0, 17.0, 23.0}},
  {{2,3,3}, 1.0, {0,2}, true, {1,3,1}, {15.0, 21.0, 27.0}},
  {{2,3,3}, -2.0, {0,2}, true, {1,3,1}, {1.1343236586022813, 0.8540687284496464, 0.6763086744149334}},
  {{2,3,3}, 2.0, {0,2}, true, {1,3,1}, {19.434847821311468, 25.812217390357706, 32.59666557451714}},
  {{2,3,3}, INFINITY, {0,2}, true, {1,3,1}, {33.0, 42.0, 51.0}},
  {{2,3,3}, -INFINITY, {0,2}, true, {1,3,1}, {6.0, 15.0, 24.0}},
  {{2,3,3}, std::string("fro"), {1,0}, false, {3}, {24.310491562286437, 26.43860813280457, 28.61817604250837}},
  {{2,3,3}, std::string("nuc"), {1,0}, false, {3}, {26.893725032250405, 28.831795748969427, 30.842704909107617}},
  {{2,3,3}, -1.0, {1,0}, false, {3}, {12.0, 15.0, 18.0}},
  {{2,3,3}, 1.0, {1,0}, false, {3}, {39.0, 42.0, 45.0}},
  {{2,3,3}, -2.0, {1,0}, false, {3}, {2.7378995190639492, 2.512877733678975, 2.3186089070204523}},
  {{2,3,3}, 2.0, {1,0}, false, {3}, {24.155825513186457, 26.318918015290453, 28.524096002087166}},
  {{2,3,3}, INFINITY, {1,0}, false, {3}, {23.0, 25.0, 27.0}},
  {{2,3,3}, -INFINITY, {1,0}, false, {3}, {11.0, 13.0, 15.0}},
  {{2,3,3}, std::string("fro"), {1,0}, true, {1,1,3}, {24.310491562286437, 26.43860813280457, 28.61817604250837}},
  {{2,3,3}, std::string("nuc"), {1,0}, true, {1,1,3}, {26.893725032250405, 28.831795748969427, 30.842704909107617}},
  {{2,3,3}, -1.0, {1,0}, true, {1,1,3}, {12.0, 15.0, 18.0}},
  {{2,3,3}, 1.0, {1,0}, true, {1,1,3}, {39.0, 42.0, 45.0}},
  {{2,3,3}, -2.0, {1,0}, true, {1,1,3}, {2.7378995190639492, 2.512877733678975, 2.3186089070204523}},
  {{2,3,3}, 2.0, {1,0}, true, {1,1,3}, {24.155825513186457, 26.318918015290453, 28.524096002087166}},
  {{2,3,3}, INFINITY, {1,0}, true, {1,1,3}, {23.0, 25.0, 27.0}},
  {{2,3,3}, -INFINITY, {1,0}, true, {1,1,3}, {11.0, 13.0, 15.0}},
  {{2,3,3}, std::string("fro"), {1,2}, false, {2}, {16.881943016134134, 42.708313008125245}},
  {{2,3,3}, std::string("nuc"), {1,2}, false, {2}, {17.91647286716892, 43.127717305695654}},
  {{2,3,3}, -1.0, {1,2}, false, {2}, {12.0, 39.0}},
  {{2,3,3}, 1.0, {1,2}, false, {2}, {18.0, 45.0}},
  {{2,3,3}, -2.0, {1,2}, false, {2}, {3.3347528650314325e-16, 1.8487840085550575e-16}},
  {{2,3,3}, 2.0, {1,2}, false, {2}, {16.84810335261421, 42.70623316471381}},
  {{2,3,3}, INFINITY, {1,2}, false, {2}, {24.0, 51.0}},
  {{2,3,3}, -INFINITY, {1,2}, false, {2}, {6.0, 33.0}},
  {{2,3,3}, std::string("fro"), {1,2}, true, {2,1,1}, {16.881943016134134, 42.708313008125245}},
  {{2,3,3}, std::string("nuc"), {1,2}, true, {2,1,1}, {17.91647286716892, 43.127717305695654}},
  {{2,3,3}, -1.0, {1,2}, true, {2,1,1}, {12.0, 39.0}},
  {{2,3,3}, 1.0, {1,2}, true, {2,1,1}, {18.0, 45.0}},
  {{2,3,3}, -2.0, {1,2}, true, {2,1,1}, {3.3347528650314325e-16, 1.8487840085550575e-16}},
  {{2,3,3}, 2.0, {1,2}, true, {2,1,1}, {16.84810335261421, 42.70623316471381}},
  {{2,3,3}, INFINITY, {1,2}, true, {2,1,1}, {24.0, 51.0}},
  {{2,3,3}, -INFINITY, {1,2}, true, {2,1,1}, {6.0, 33.0}},
  {{2,3,3}, std::string("fro"), {2,0}, false, {3}, {19.467922333931785, 25.826343140289914, 32.60368077380221}},
  {{2,3,3}, std::string("nuc"), {2,0}, false, {3}, {20.56917147991375, 26.666286118807353, 33.27297424893207}},
  {{2,3,3}, -1.0, {2,0}, false, {3}, {6.0, 15.0, 24.0}},
  {{2,3,3}, 1.0, {2,0}, false, {3}, {33.0, 42.0, 51.0}},
  {{2,3,3}, -2.0, {2,0}, false, {3}, {1.134323658602282, 0.8540687284496472, 0.6763086744149343}},
  {{2,3,3}, 2.0, {2,0}, false, {3}, {19.434847821311468, 25.812217390357706, 32.59666557451714}},
  {{2,3,3}, INFINITY, {2,0}, false, {3}, {15.0, 21.0, 27.0}},
  {{2,3,3}, -INFINITY, {2,0}, false, {3}, {11.0, 17.0, 23.0}},
  {{2,3,3}, std::string("fro"), {2,0}, true, {1,3,1}, {19.467922333931785, 25.826343140289914, 32.60368077380221}},
  {{2,3,3}, std::string("nuc"), {2,0}, true, {1,3,1}, {20.56917147991375, 26.666286118807353, 33.27297424893207}},
  {{2,3,3}, -1.0, {2,0}, true, {1,3,1}, {6.0, 15.0, 24.0}},
  {{2,3,3}, 1.0, {2,0}, true, {1,3,1}, {33.0, 42.0, 51.0}},
  {{2,3,3}, -2.0, {2,0}, true, {1,3,1}, {1.134323658602282, 0.8540687284496472, 0.6763086744149343}},
  {{2,3,3}, 2.0, {2,0}, true, {1,3,1}, {19.434847821311468, 25.812217390357706, 32.59666557451714}},
  {{2,3,3}, INFINITY, {2,0}, true, {1,3,1}, {15.0, 21.0, 27.0}},
  {{2,3,3}, -INFINITY, {2,0}, true, {1,3,1}, {11.0, 17.0, 23.0}},
  {{2,3,3}, std::string("fro"), {2,1}, false, {2}, {16.881943016134134, 42.708313008125245}},
  {{2,3,3}, std::string("nuc"), {2,1}, false, {2}, {17.91647286716892, 43.12771730569564}},
  {{2,3,3}, -1.0, {2,1}, false, {2}, {6.0, 33.0}},
  {{2,3,3}, 1.0, {2,1}, false, {2}, {24.0, 51.0}},
  {{2,3,3}, -2.0, {2,1}, false, {2}, {5.776998306878627e-17, 1.7011461929185721e-15}},
  {{2,3,3}, 2.0, {2,1}, false, {2}, {16.84810335261421, 42.706233164713794}},
  {{2,3,3}, INFINITY, {2,1}, false, {2}, {18.0, 45.0}},
  {{2,3,3}, -INFINITY, {2,1}, false, {2}, {12.0, 39.0}},
  {{2,3,3}, std::string("fro"), {2,1}, true, {2,1,1}, {16.881943016134134, 42.708313008125245}},
  {{2,3,3}, std::string("nuc"), {2,1}, true, {2,1,1}, {17.91647286716892, 43.12771730569564}},
  {{2,3,3}, -1.0, {2,1}, true, {2,1,1}, {6.0, 33.0}},
  {{2,3,3}, 1.0, {2,1}, true, {2,1,1}, {24.0, 51.0}},
  {{2,3,3}, -2.0, {2,1}, true, {2,1,1}, {5.776998306878627e-17, 1.7011461929185721e-15}},
  {{2,3,3}, 2.0, {2,1}, true, {2,1,1}, {16.84810335261421, 42.706233164713794}},
  {{2,3,3}, INFINITY, {2,1}, true, {2,1,1}, {18.0, 45.0}},
  {{2,3,3}, -INFINITY, {2,1}, true, {2,1,1}, {12.0, 39.0}},
};
const std::vector<double> kLu33 = {3.0, 1.0, 2.0, 1.0, 8.0, 6.0, 9.0, 2.0, 5.0};
const std::vector<double> kLu33LU = {9.0, 2.0, 5.0, 0.1111111111111111, 7.777777777777778, 5.444444444444445, 0.3333333333333333, 0.042857142857142864, 0.10000000000000009};
const std::vector<double> kLu33Piv = {2.0, 1.0, 2.0};
const std::vector<double> kLu33P = {2.0, 1.0, 0.0};
const std::vector<double> kLu33L = {1.0, 0.0, 0.0, 0.1111111111111111, 1.0, 0.0, 0.3333333333333333, 0.042857142857142864, 1.0};
const std::vector<double> kLu33U = {9.0, 2.0, 5.0, 0.0, 7.777777777777778, 5.444444444444445, 0.0, 0.0, 0.10000000000000009};
const std::vector<double> kLu23 = {3.0, 1.0, 2.0, 1.0, 8.0, 6.0};
const std::vector<double> kLu23LU = {3.0, 1.0, 2.0, 0.3333333333333333, 7.666666666666667, 5.333333333333333};
const std::vector<double> kLu23Piv = {0.0, 1.0};
const std::vector<double> kLu23P = {0.0, 1.0};
const std::vector<double> kLu23L = {1.0, 0.0, 0.3333333333333333, 1.0};
const std::vector<double> kLu23U = {3.0, 1.0, 2.0, 0.0, 7.666666666666667, 5.333333333333333};
const std::vector<double> kLu32 = {3.0, 1.0, 1.0, 8.0, 9.0, 2.0};
const std::vector<double> kLu32LU = {9.0, 2.0, 0.1111111111111111, 7.777777777777778, 0.3333333333333333, 0.042857142857142864};
const std::vector<double> kLu32Piv = {2.0, 1.0};
const std::vector<double> kLu32P = {2.0, 1.0, 0.0};
const std::vector<double> kLu32L = {1.0, 0.0, 0.1111111111111111, 1.0, 0.3333333333333333, 0.042857142857142864};
const std::vector<double> kLu32U = {9.0, 2.0, 0.0, 7.777777777777778};
const std::vector<double> kCplxRe = {1.0, 2.0, 0.0, 3.0};
const std::vector<double> kCplxIm = {2.0, -1.0, 0.5, 0.0};
const std::vector<double> kCplxS = {4.178542445890362, 1.3378277272850156};
const std::vector<double> kCplxWRe = {1.1005462800260664, 2.8994537199739336};
const std::vector<double> kCplxWIm = {1.555892970251421, 0.4441070297485788};
const std::vector<double> kHermW = {0.9999999999999993, 3.9999999999999987};
const double kCplxFro = 4.387482193696061;

// ---- helpers -------------------------------------------------------------------------------

array mat(const Vec& v, const Shape& shape, Dtype dt = float32) {
  EXPECT_EQ(static_cast<int64_t>(v.size()), shape_size(shape));
  return array(v.begin(), shape, dt);
}

/// Elementwise |x - ref| <= atol + rtol * |ref|, reporting the first mismatch.
void expect_close(const Vec& x, const Vec& ref, double atol = 1e-5, double rtol = 1e-5) {
  ASSERT_EQ(x.size(), ref.size());
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_NEAR(x[i], ref[i], atol + rtol * std::abs(ref[i])) << "at element " << i;
}
void expect_close(const array& x, const Vec& ref, double atol = 1e-5, double rtol = 1e-5) {
  expect_close(to_doubles(x), ref, atol, rtol);
}

CVec to_complex(array a) {
  a.eval();
  EXPECT_EQ(a.dtype(), complex64);
  const auto* p = a.data<complex64_t>();
  return CVec(p, p + a.size());
}

/// Row-major (m x k) times (k x n).
Vec matmul(const Vec& a, const Vec& b, int m, int k, int n) {
  Vec c(static_cast<size_t>(m) * n, 0.0);
  for (int i = 0; i < m; ++i)
    for (int l = 0; l < k; ++l)
      for (int j = 0; j < n; ++j) c[i * n + j] += a[i * k + l] * b[l * n + j];
  return c;
}
Vec transpose(const Vec& a, int m, int n) {
  Vec t(a.size());
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) t[j * m + i] = a[i * n + j];
  return t;
}
Vec eye(int n) {
  Vec e(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) e[i * n + i] = 1.0;
  return e;
}
/// Matrix b of a row-major batch of m x n matrices.
Vec part(const Vec& v, int b, int m, int n) {
  return Vec(v.begin() + b * m * n, v.begin() + (b + 1) * m * n);
}
Vec concat(const Vec& a, const Vec& b) {
  Vec c = a;
  c.insert(c.end(), b.begin(), b.end());
  return c;
}
Vec affine(const Vec& a, double scale, double shift) {
  Vec r = a;
  for (auto& x : r) x = x * scale + shift;
  return r;
}

void expect_message(const std::string& msg, const std::string& op, const std::string& part) {
  EXPECT_NE(msg.find("[" + op + "]"), std::string::npos) << msg;
  EXPECT_NE(msg.find(part), std::string::npos) << msg;
}

// ---- norm ----------------------------------------------------------------------------------

TEST(LinalgNorm, MatchesNumPyForEveryOrdAxisAndKeepdims) {
  for (const auto& c : kNormCases) {
    Vec data(static_cast<size_t>(shape_size(c.shape)));
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<double>(i + 1);
    array x = mat(data, c.shape);
    array r = std::holds_alternative<double>(c.ord)
                  ? linalg::norm(x, std::get<double>(c.ord), c.axis, c.keepdims)
                  : linalg::norm(x, std::get<std::string>(c.ord), c.axis, c.keepdims);
    SCOPED_TRACE(mlx::core::detail::message(
        "shape ", c.shape, " axis ", c.axis, " keepdims ", c.keepdims, " ord ",
        std::holds_alternative<double>(c.ord) ? std::to_string(std::get<double>(c.ord))
                                              : std::get<std::string>(c.ord)));
    EXPECT_EQ(r.shape(), c.out_shape);
    EXPECT_EQ(r.dtype(), float32);
    expect_close(r, c.expected, 1e-4, 1e-5);
  }
}

TEST(LinalgNorm, DefaultsFlattenAndIntegerInputs) {
  array x = mat({1, 2, 3, 4, 5, 6}, {2, 3}, int32);
  // No ord, no axis: the 2-norm of the flattened array; keepdims gives (1,) as in MLX.
  array r = linalg::norm(x);
  EXPECT_EQ(r.shape(), Shape{});
  EXPECT_EQ(r.dtype(), float32);
  EXPECT_NEAR(r.item<double>(), std::sqrt(91.0), 1e-5);
  EXPECT_EQ(linalg::norm(x, std::nullopt, true).shape(), Shape{1});
  expect_close(linalg::norm(x, 1), {std::sqrt(14.0), std::sqrt(77.0)});  // int: an axis
  // ord without axis: a 2-D input is a matrix (max column sum), a 1-D input a vector.
  EXPECT_NEAR(linalg::norm(x, 1.0).item<double>(), 9.0, 1e-6);
  EXPECT_NEAR(linalg::norm(x, -INFINITY).item<double>(), 6.0, 1e-6);
  EXPECT_NEAR(linalg::norm(mat({3, -4}, {2}, int32), 0.0).item<double>(), 2.0, 0);
  EXPECT_EQ(linalg::norm(x, 0.0, 1).dtype(), float32);
  EXPECT_NEAR(linalg::norm(x, std::string("fro")).item<double>(), std::sqrt(91.0), 1e-5);
  // float64 stays float64.
  array d = linalg::norm(mat({3, 4}, {2}, float64), 2.0);
  EXPECT_EQ(d.dtype(), float64);
  EXPECT_EQ(d.item<double>(), 5.0);
  // A transposed view.
  array t = transpose(mat({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_NEAR(linalg::norm(t, 1.0).item<double>(), 15.0, 1e-5);  // max row sum of x
  EXPECT_NEAR(linalg::norm(t, 2.0).item<double>(), 9.508032000695724, 1e-5);
}

TEST(LinalgNorm, ComplexAndEmpty) {
  array c = mat(kCplxRe, {2, 2}, complex64) + mat(kCplxIm, {2, 2}, complex64) * array(complex64_t(0, 1));
  array r = linalg::norm(c);
  EXPECT_EQ(r.dtype(), float32);
  EXPECT_NEAR(r.item<double>(), kCplxFro, 1e-5);
  EXPECT_NEAR(linalg::norm(c, std::string("fro")).item<double>(), kCplxFro, 1e-5);
  EXPECT_NEAR(linalg::norm(c, std::string("nuc")).item<double>(), kCplxS[0] + kCplxS[1], 1e-5);
  EXPECT_EQ(linalg::norm(zeros({0})).item<double>(), 0.0);
  EXPECT_EQ(linalg::norm(zeros({0, 3}), std::string("nuc")).item<double>(), 0.0);
}

TEST(LinalgNorm, Errors) {
  array x = zeros({2, 2, 2});
  expect_message(invalid_argument_message([&] { linalg::norm(x, std::vector<int>{0, 1, 2}); }),
                 "linalg::norm", "Received too many axes for norm.");
  expect_message(invalid_argument_message([&] { linalg::norm(x, 2.0); }), "linalg::norm",
                 "Received too many axes for norm.");
  expect_message(invalid_argument_message([&] { linalg::norm(x, 3.0, std::vector<int>{0, 1}); }),
                 "linalg::norm", "Invalid ord 3 for matrix norm.");
  expect_message(invalid_argument_message([&] { linalg::norm(x, std::string("abc"), std::vector<int>{0, 1}); }),
                 "linalg::norm", "Invalid ord value 'abc' for matrix norm.");
  expect_message(invalid_argument_message([&] { linalg::norm(x, std::string("fro"), 0); }),
                 "linalg::norm", "Norm 'fro' only supported for matrices, but received 1 axis/axes.");
  expect_message(invalid_argument_message([&] { linalg::norm(x, 1.0, std::vector<int>{0, 3}); }),
                 "linalg::norm", "Invalid axis 3");
  expect_message(invalid_argument_message([&] { linalg::norm(x, 2.0, std::vector<int>{1, -2}); }),
                 "linalg::norm", "duplicate axis");
}

// ---- inverses ------------------------------------------------------------------------------

TEST(LinalgInv, KnownValuesProductAndBatch) {
  array a = mat(kA3, {3, 3});
  array ai = linalg::inv(a);
  EXPECT_EQ(ai.shape(), (Shape{3, 3}));
  EXPECT_EQ(ai.dtype(), float32);
  expect_close(ai, kA3inv, 1e-6);
  expect_close(matmul(kA3, to_doubles(ai), 3, 3, 3), eye(3), 1e-5);
  // float64 is accepted too (as current MLX).
  expect_close(linalg::inv(mat(kA3, {3, 3}, float64)), kA3inv, 1e-12, 1e-12);
  // A batch: A and A - 100, and each through a transposed view (inv(Aᵀ) = inv(A)ᵀ).
  Vec b = affine(kA3, 1, -100);
  array ab = mat(concat(kA3, b), {2, 3, 3});
  Vec r = to_doubles(linalg::inv(ab));
  expect_close(part(r, 0, 3, 3), kA3inv, 1e-6);
  expect_close(matmul(b, part(r, 1, 3, 3), 3, 3, 3), eye(3), 1e-4);
  Vec rt = to_doubles(linalg::inv(swapaxes(ab, -1, -2)));
  expect_close(part(rt, 0, 3, 3), transpose(kA3inv, 3, 3), 1e-6);
  // A broadcast batch (zero strides): every matrix is A.
  Vec rb = to_doubles(linalg::inv(broadcast_to(a, {2, 2, 3, 3})));
  for (int i = 0; i < 4; ++i) expect_close(part(rb, i, 3, 3), kA3inv, 1e-6);
  // Empty: no matrices, and 0 x 0 matrices.
  EXPECT_EQ(linalg::inv(zeros({0, 3, 3})).shape(), (Shape{0, 3, 3}));
  EXPECT_EQ(linalg::inv(zeros({2, 0, 0})).size(), 0u);
}

TEST(LinalgInv, ManySmallMatrices) {
  // 1000 matrices c * A; each checked.
  const int nb = 1000;
  Vec data;
  for (int i = 0; i < nb; ++i) data = concat(data, affine(kA3, 1.0 + 0.001 * i, 0.0));
  Vec r = to_doubles(linalg::inv(mat(data, {nb, 3, 3})));
  for (int i = 0; i < nb; i += 97)
    expect_close(part(r, i, 3, 3), affine(kA3inv, 1.0 / (1.0 + 0.001 * i), 0.0), 1e-5);
  // A NaN is refused by LAPACKE (not reported as a singular matrix).
  data[5 * 9 + 4] = NAN;
  expect_message(runtime_error_message([&] { linalg::inv(mat(data, {nb, 3, 3})).eval(); }),
                 "linalg::inv", "The input contains NaN or infinity (LAPACK getrf info -4, matrix 5 of the batch).");
}

TEST(LinalgEigh, ManySmallMatricesOverTheThreadPool) {
  // 2000 matrices S + c I, split over the pool's threads; a failure inside a worker is
  // reported after the loop, for the lowest failing matrix.
  const int nb = 2000;
  Vec data;
  for (int i = 0; i < nb; ++i) {
    Vec m = kSpd;
    for (int d = 0; d < 3; ++d) m[d * 4] += 0.01 * i;
    data = concat(data, m);
  }
  Vec w = to_doubles(linalg::eigvalsh(mat(data, {nb, 3, 3})));
  for (int i = 0; i < nb; i += 101) expect_close(part(w, i, 1, 3), affine(kSpdW, 1, 0.01 * i), 1e-4);
  data[1700 * 9] = NAN;
  data[1900 * 9] = NAN;
  expect_message(runtime_error_message([&] { linalg::eigvalsh(mat(data, {nb, 3, 3})).eval(); }),
                 "linalg::eigvalsh", "matrix 1700 of the batch");
}

TEST(LinalgInv, Errors) {
  expect_message(invalid_argument_message([] { linalg::inv(mat({1, 2, 3, 4}, {2, 2}, int32)); }),
                 "linalg::inv", "Arrays must have type float32 or float64. Received array with type int32.");
  expect_message(invalid_argument_message([] { linalg::inv(zeros({3})); }), "linalg::inv",
                 "Arrays must have >= 2 dimensions. Received array with 1 dimensions.");
  expect_message(invalid_argument_message([] { linalg::inv(zeros({2, 3})); }), "linalg::inv",
                 "Inverses are only defined for square matrices.");
  expect_message(invalid_argument_message([] { linalg::inv(zeros({2, 2}, float16)); }),
                 "linalg::inv", "float16");
  // Singular: thrown at evaluation (std::runtime_error, as MLX), naming the matrix.
  array s = mat({1, 2, 2, 4}, {2, 2});
  expect_message(runtime_error_message([&] { linalg::inv(s).eval(); }), "linalg::inv",
                 "The matrix is singular");
  array sb = mat(concat(eye(2), {1, 2, 2, 4}), {2, 2, 2});
  expect_message(runtime_error_message([&] { linalg::inv(sb).eval(); }), "linalg::inv",
                 "matrix 1 of the batch");
}

TEST(LinalgTriInv, LowerUpperAndTheOtherTriangleIsIgnored) {
  // The strict upper part of `lower` holds garbage that tri_inv must not read.
  Vec garbage_upper = kLt;
  garbage_upper[1] = 7, garbage_upper[2] = -3, garbage_upper[5] = 11;
  array li = linalg::tri_inv(mat(garbage_upper, {3, 3}));
  expect_close(li, kLtinv, 1e-6);
  Vec ut = transpose(kLt, 3, 3);
  ut[3] = 5;  // garbage below the diagonal
  array ui = linalg::tri_inv(mat(ut, {3, 3}), true);
  expect_close(ui, transpose(kLtinv, 3, 3), 1e-6);
  Vec u = to_doubles(ui);
  EXPECT_EQ(u[3], 0.0);
  EXPECT_EQ(u[6], 0.0);
  EXPECT_EQ(u[7], 0.0);
  expect_message(runtime_error_message([] { linalg::tri_inv(mat({1, 0, 3, 0}, {2, 2})).eval(); }),
                 "linalg::tri_inv", "The matrix is singular");
  expect_message(invalid_argument_message([] { linalg::tri_inv(zeros({2, 3})); }),
                 "linalg::tri_inv", "square");
}

// ---- cholesky ------------------------------------------------------------------------------

TEST(LinalgCholesky, KnownValuesUpperBatchAndProducts) {
  array a = mat(kSpd, {3, 3});
  array l = linalg::cholesky(a);
  expect_close(l, kSpdL, 1e-6);
  Vec lv = to_doubles(l);
  expect_close(matmul(lv, transpose(lv, 3, 3), 3, 3, 3), kSpd, 1e-5);
  array u = linalg::cholesky(a, true);
  expect_close(u, transpose(kSpdL, 3, 3), 1e-6);
  // Only the lower (upper) triangle is read.
  Vec lower_only = kSpd;
  lower_only[1] = lower_only[2] = lower_only[5] = 100;
  expect_close(linalg::cholesky(mat(lower_only, {3, 3})), kSpdL, 1e-6);
  Vec upper_only = kSpd;
  upper_only[3] = upper_only[6] = upper_only[7] = -100;
  expect_close(linalg::cholesky(mat(upper_only, {3, 3}), true), transpose(kSpdL, 3, 3), 1e-6);
  // Batch of A and 4 A (factor 2 L), float64.
  Vec r = to_doubles(linalg::cholesky(mat(concat(kSpd, affine(kSpd, 4, 0)), {2, 3, 3}, float64)));
  expect_close(part(r, 0, 3, 3), kSpdL, 1e-12);
  expect_close(part(r, 1, 3, 3), affine(kSpdL, 2, 0), 1e-12);
}

TEST(LinalgCholesky, InverseFromTheFactor) {
  array l = linalg::cholesky(mat(kSpd, {3, 3}));
  expect_close(linalg::cholesky_inv(l), kSpdInv, 1e-6);
  array u = linalg::cholesky(mat(kSpd, {3, 3}), true);
  expect_close(linalg::cholesky_inv(u, true), kSpdInv, 1e-6);
  Vec r = to_doubles(linalg::cholesky_inv(linalg::cholesky(broadcast_to(mat(kSpd, {3, 3}), {2, 3, 3}))));
  expect_close(part(r, 1, 3, 3), kSpdInv, 1e-6);
  expect_message(runtime_error_message([] { linalg::cholesky_inv(zeros({2, 2})).eval(); }),
                 "linalg::cholesky_inv", "singular");
  expect_message(invalid_argument_message([] { linalg::cholesky_inv(zeros({2, 3})); }),
                 "linalg::cholesky_inv", "Cholesky inverse is only defined for square matrices.");
}

TEST(LinalgCholesky, Errors) {
  // Not positive definite: thrown at evaluation (MLX leaves the result unspecified).
  expect_message(runtime_error_message([] { linalg::cholesky(mat({1, 2, 2, 1}, {2, 2})).eval(); }),
                 "linalg::cholesky", "not positive definite");
  expect_message(invalid_argument_message([] { linalg::cholesky(zeros({2, 3})); }),
                 "linalg::cholesky", "Cholesky decomposition is only defined for square matrices.");
  expect_message(invalid_argument_message([] { linalg::cholesky(zeros({2, 2}, int32)); }),
                 "linalg::cholesky", "Received array with type int32");
  expect_message(invalid_argument_message([] { linalg::cholesky(zeros({2})); }),
                 "linalg::cholesky", ">= 2 dimensions");
}

// ---- qr ------------------------------------------------------------------------------------

TEST(LinalgQr, KnownValuesTallWideAndBatch) {
  auto [q, r] = linalg::qr(mat(kM43, {4, 3}));
  EXPECT_EQ(q.shape(), (Shape{4, 3}));
  EXPECT_EQ(r.shape(), (Shape{3, 3}));
  expect_close(q, kM43q, 1e-5);
  expect_close(r, kM43r, 1e-5);
  expect_close(matmul(to_doubles(q), to_doubles(r), 4, 3, 3), kM43, 1e-5);
  // The wide case through a transposed view of the same data.
  auto [q2, r2] = linalg::qr(transpose(mat(kM43, {4, 3})));
  EXPECT_EQ(q2.shape(), (Shape{3, 3}));
  EXPECT_EQ(r2.shape(), (Shape{3, 4}));
  expect_close(q2, kM34q, 1e-5);
  expect_close(r2, kM34r, 1e-5);
  Vec qv = to_doubles(q2);
  expect_close(matmul(transpose(qv, 3, 3), qv, 3, 3, 3), eye(3), 1e-5);
  // Batch, float64.
  const Vec first = concat(kA3, {-1.66, -1.05, 1.21});
  auto [qb, rb] = linalg::qr(mat(concat(first, kM43), {2, 4, 3}, float64));
  Vec qbv = to_doubles(qb), rbv = to_doubles(rb);
  expect_close(matmul(part(qbv, 1, 4, 3), part(rbv, 1, 3, 3), 4, 3, 3), kM43, 1e-12);
  expect_close(matmul(part(qbv, 0, 4, 3), part(rbv, 0, 3, 3), 4, 3, 3), first, 1e-12);
  expect_close(part(rbv, 1, 3, 3), kM43r, 1e-12);
}

TEST(LinalgQr, Errors) {
  expect_message(invalid_argument_message([] { linalg::qr(array(0.0f)); }), "linalg::qr",
                 ">= 2 dimensions");
  expect_message(invalid_argument_message([] { linalg::qr(mat({0, 1, 1, 0}, {2, 2}, int32)); }),
                 "linalg::qr", "float32 or float64");
}

// ---- svd -----------------------------------------------------------------------------------

void check_svd_reconstructs(const array& a, int m, int n, double tol) {
  auto usv = linalg::svd(a);
  ASSERT_EQ(usv.size(), 3u);
  const int k = std::min(m, n);
  EXPECT_EQ(usv[0].shape(), (Shape{m, m}));
  EXPECT_EQ(usv[1].shape(), Shape{k});
  EXPECT_EQ(usv[2].shape(), (Shape{n, n}));
  Vec u = to_doubles(usv[0]), s = to_doubles(usv[1]), vt = to_doubles(usv[2]);
  Vec us(static_cast<size_t>(m) * n, 0.0);  // U[:, :k] diag(S), padded to m x n
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < k; ++j) us[i * n + j] = u[i * m + j] * s[j];
  expect_close(matmul(us, vt, m, n, n), to_doubles(a), tol);
  expect_close(matmul(u, transpose(u, m, m), m, m, m), eye(m), tol);
  expect_close(matmul(vt, transpose(vt, n, n), n, n, n), eye(n), tol);
}

TEST(LinalgSvd, KnownValuesAndReconstruction) {
  array a = mat(kM43, {4, 3});
  expect_close(linalg::svd(a, false).at(0), kM43s, 1e-5);
  check_svd_reconstructs(a, 4, 3, 1e-5);
  check_svd_reconstructs(transpose(a), 3, 4, 1e-5);
  check_svd_reconstructs(mat(kM43, {4, 3}, float64), 4, 3, 1e-12);
  auto s_only = linalg::svd(transpose(a), false);
  ASSERT_EQ(s_only.size(), 1u);
  expect_close(s_only[0], kM43s, 1e-5);
  // Batch: A and 2 A.
  Vec sb = to_doubles(linalg::svd(mat(concat(kM43, affine(kM43, 2, 0)), {2, 4, 3}), false)[0]);
  expect_close(sb, concat(kM43s, affine(kM43s, 2, 0)), 1e-5);
}

TEST(LinalgSvd, ComplexAndEmpty) {
  array c = mat(kCplxRe, {2, 2}, complex64) + mat(kCplxIm, {2, 2}, complex64) * array(complex64_t(0, 1));
  auto usv = linalg::svd(c);
  EXPECT_EQ(usv[0].dtype(), complex64);
  EXPECT_EQ(usv[1].dtype(), float32);
  expect_close(usv[1], kCplxS, 1e-5);
  CVec u = to_complex(usv[0]), vt = to_complex(usv[2]), cc = to_complex(c);
  Vec s = to_doubles(usv[1]);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      std::complex<double> acc = 0;
      for (int l = 0; l < 2; ++l) acc += u[i * 2 + l] * s[l] * vt[l * 2 + j];
      EXPECT_NEAR(std::abs(acc - cc[i * 2 + j]), 0.0, 1e-5);
    }
  auto e = linalg::svd(zeros({0, 3}));
  EXPECT_EQ(e[1].shape(), Shape{0});
  expect_close(e[2], eye(3), 0);
}

TEST(LinalgSvd, Errors) {
  expect_message(invalid_argument_message([] { linalg::svd(zeros({3})); }), "linalg::svd",
                 "Input array must have >= 2 dimensions. Received array with 1 dimensions.");
  expect_message(invalid_argument_message([] { linalg::svd(zeros({3, 3}, int32)); }),
                 "linalg::svd", "Arrays must have type float32, float64 or complex64.");
}

// ---- pinv ----------------------------------------------------------------------------------

TEST(LinalgPinv, KnownValuesRankDeficientAndBatch) {
  array p = linalg::pinv(mat(kM43, {4, 3}));
  EXPECT_EQ(p.shape(), (Shape{3, 4}));
  expect_close(p, kM43pinv, 1e-5);
  expect_close(linalg::pinv(mat(kRank1, {3, 2})), kRank1pinv, 1e-6);
  // A A+ A = A, batch of A3 and A3 - 100.
  Vec b = affine(kA3, 1, -100);
  Vec r = to_doubles(linalg::pinv(mat(concat(kA3, b), {2, 3, 3})));
  expect_close(matmul(matmul(b, part(r, 1, 3, 3), 3, 3, 3), b, 3, 3, 3), b, 1e-3);
  expect_close(part(r, 0, 3, 3), kA3inv, 1e-5);
  expect_message(invalid_argument_message([] { linalg::pinv(zeros({3})); }), "linalg::pinv",
                 ">= 2 dimensions");
}

// ---- eig / eigh ----------------------------------------------------------------------------

/// A v = w v for every column v of `vectors`, in complex arithmetic.
void check_eigenpairs(const CVec& a, const CVec& w, const CVec& v, int n, double tol) {
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      std::complex<double> av = 0;
      for (int l = 0; l < n; ++l) av += a[i * n + l] * v[l * n + j];
      EXPECT_NEAR(std::abs(av - w[j] * v[i * n + j]), 0.0, tol) << "pair " << j << " row " << i;
    }
}
CVec as_complex(const Vec& v) { return CVec(v.begin(), v.end()); }

TEST(LinalgEig, KnownValuesAndEigenpairs) {
  for (Dtype dt : {float32, float64}) {
    auto [w, v] = linalg::eig(mat(kE, {3, 3}, dt));
    EXPECT_EQ(w.dtype(), complex64);
    EXPECT_EQ(v.dtype(), complex64);
    EXPECT_EQ(w.shape(), Shape{3});
    EXPECT_EQ(v.shape(), (Shape{3, 3}));
    CVec wv = to_complex(w);
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(wv[i].real(), kEwRe[i], 1e-5);
      EXPECT_NEAR(wv[i].imag(), kEwIm[i], 1e-5);
    }
    check_eigenpairs(as_complex(kE), wv, to_complex(v), 3, 1e-5);
  }
  CVec w3 = to_complex(linalg::eigvals(mat(kA3, {3, 3})));
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(w3[i].real(), kA3wRe[i], 1e-4);
    EXPECT_NEAR(w3[i].imag(), kA3wIm[i], 1e-4);
  }
  // Batch through a transposed view: eigenvalues of Aᵀ are those of A.
  auto [wb, vb] = linalg::eig(swapaxes(mat(concat(kA3, kE), {2, 3, 3}), 1, 2));
  CVec wbv = to_complex(wb), vbv = to_complex(vb);
  check_eigenpairs(as_complex(transpose(kE, 3, 3)), CVec(wbv.begin() + 3, wbv.end()),
                   CVec(vbv.begin() + 9, vbv.end()), 3, 1e-5);
}

TEST(LinalgEig, ComplexInput) {
  array c = mat(kCplxRe, {2, 2}, complex64) + mat(kCplxIm, {2, 2}, complex64) * array(complex64_t(0, 1));
  auto [w, v] = linalg::eig(c);
  CVec wv = to_complex(w);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(wv[i].real(), kCplxWRe[i], 1e-5);
    EXPECT_NEAR(wv[i].imag(), kCplxWIm[i], 1e-5);
  }
  check_eigenpairs(to_complex(c), wv, to_complex(v), 2, 1e-5);
}

TEST(LinalgEigh, KnownValuesVectorsUploAndBatch) {
  auto [w, v] = linalg::eigh(mat(kSpd, {3, 3}));
  EXPECT_EQ(w.dtype(), float32);
  EXPECT_EQ(w.shape(), Shape{3});
  expect_close(w, kSpdW, 1e-5);
  Vec vv = to_doubles(v);
  for (size_t i = 0; i < vv.size(); ++i) EXPECT_NEAR(std::abs(vv[i]), std::abs(kSpdV[i]), 1e-5);
  check_eigenpairs(as_complex(kSpd), as_complex(to_doubles(w)), as_complex(vv), 3, 1e-4);
  // "L" reads only the lower triangle, "U" only the upper.
  Vec lower_only = kSpd, upper_only = kSpd;
  lower_only[1] = lower_only[2] = lower_only[5] = 50;
  upper_only[3] = upper_only[6] = upper_only[7] = -50;
  expect_close(linalg::eigvalsh(mat(lower_only, {3, 3})), kSpdW, 1e-5);
  expect_close(linalg::eigvalsh(mat(upper_only, {3, 3}), "U"), kSpdW, 1e-5);
  expect_close(linalg::eigh(mat(upper_only, {3, 3}, float64), "U").first, kSpdW, 1e-12);
  // Batch: S and S + 2 I.
  Vec shifted = kSpd;
  for (int i = 0; i < 3; ++i) shifted[i * 4] += 2;
  expect_close(linalg::eigvalsh(mat(concat(kSpd, shifted), {2, 3, 3})),
               concat(kSpdW, affine(kSpdW, 1, 2)), 1e-5);
}

TEST(LinalgEigh, Hermitian) {
  array re = mat({2, 1, 1, 3}, {2, 2}, complex64), im = mat({0, -1, 1, 0}, {2, 2}, complex64);
  array h = re + im * array(complex64_t(0, 1));
  auto [w, v] = linalg::eigh(h);
  EXPECT_EQ(w.dtype(), float32);
  EXPECT_EQ(v.dtype(), complex64);
  expect_close(w, kHermW, 1e-5);
  check_eigenpairs(to_complex(h), as_complex(to_doubles(w)), to_complex(v), 2, 1e-5);
}

TEST(LinalgEig, Errors) {
  for (auto* op : {"linalg::eig", "linalg::eigvals", "linalg::eigh", "linalg::eigvalsh"}) {
    auto call = [&](const array& a) {
      std::string o = op;
      if (o == "linalg::eig") linalg::eig(a);
      else if (o == "linalg::eigvals") linalg::eigvals(a);
      else if (o == "linalg::eigh") linalg::eigh(a);
      else linalg::eigvalsh(a);
    };
    expect_message(invalid_argument_message([&] { call(zeros({2})); }), op,
                   "Arrays must have >= 2 dimensions. Received array with 1 dimensions.");
    expect_message(invalid_argument_message([&] { call(zeros({3, 2})); }), op,
                   "Only defined for square matrices.");
    expect_message(invalid_argument_message([&] { call(zeros({2, 2}, int32)); }), op,
                   "float32, float64 or complex64");
  }
  expect_message(invalid_argument_message([] { linalg::eigh(zeros({2, 2}), "X"); }),
                 "linalg::eigh", "UPLO must be 'L' or 'U'. Got 'X'.");
}

// ---- lu ------------------------------------------------------------------------------------

void check_lu(const Vec& a, int m, int n, const Vec& p, const Vec& l, const Vec& u) {
  auto plu = linalg::lu(mat(a, {m, n}));
  ASSERT_EQ(plu.size(), 3u);
  const int k = std::min(m, n);
  EXPECT_EQ(plu[0].dtype(), uint32);
  EXPECT_EQ(plu[0].shape(), Shape{m});
  EXPECT_EQ(plu[1].shape(), (Shape{m, k}));
  EXPECT_EQ(plu[2].shape(), (Shape{k, n}));
  Vec pv = to_doubles(plu[0]), lv = to_doubles(plu[1]);
  EXPECT_EQ(pv, p);
  expect_close(lv, l, 1e-6);
  expect_close(plu[2], u, 1e-5);
  // L[P] @ U == A.
  Vec lp(lv.size());
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < k; ++j) lp[i * k + j] = lv[static_cast<int>(pv[i]) * k + j];
  expect_close(matmul(lp, to_doubles(plu[2]), m, k, n), a, 1e-5);
}

TEST(LinalgLu, KnownValuesSquareTallWide) {
  check_lu(kLu33, 3, 3, kLu33P, kLu33L, kLu33U);
  check_lu(kLu23, 2, 3, kLu23P, kLu23L, kLu23U);
  check_lu(kLu32, 3, 2, kLu32P, kLu32L, kLu32U);
}

TEST(LinalgLu, FactorPivotsAndBatch) {
  auto [lu, piv] = linalg::lu_factor(mat(kLu33, {3, 3}));
  EXPECT_EQ(piv.dtype(), uint32);
  EXPECT_EQ(piv.shape(), Shape{3});
  expect_close(lu, kLu33LU, 1e-5);
  EXPECT_EQ(to_doubles(piv), kLu33Piv);
  auto [lu2, piv2] = linalg::lu_factor(mat(kLu32, {3, 2}, float64));
  expect_close(lu2, kLu32LU, 1e-12);
  EXPECT_EQ(piv2.shape(), Shape{2});
  EXPECT_EQ(to_doubles(piv2), kLu32Piv);
  // A broadcast batch (5, 5, 3, 3) of the same matrix.
  auto plu = linalg::lu(broadcast_to(mat(kLu33, {3, 3}), {5, 5, 3, 3}));
  EXPECT_EQ(plu[0].shape(), (Shape{5, 5, 3}));
  Vec p = to_doubles(plu[0]), u = to_doubles(plu[2]);
  expect_close(Vec(p.end() - 3, p.end()), kLu33P, 0);
  expect_close(Vec(u.end() - 9, u.end()), kLu33U, 1e-5);
}

TEST(LinalgLu, Errors) {
  expect_message(invalid_argument_message([] { linalg::lu(array(0.0f)); }), "linalg::lu",
                 ">= 2 dimensions");
  expect_message(invalid_argument_message([] { linalg::lu(mat({0, 1, 1, 0}, {2, 2}, int32)); }),
                 "linalg::lu", "float32 or float64");
  expect_message(invalid_argument_message([] { linalg::lu_factor(zeros({2})); }),
                 "linalg::lu_factor", ">= 2 dimensions");
  // Singular: MLX's LU throws at evaluation.
  expect_message(runtime_error_message([] { linalg::lu(mat({1, 2, 2, 4}, {2, 2}))[0].eval(); }),
                 "linalg::lu", "The matrix is singular");
}

// ---- solve ---------------------------------------------------------------------------------

TEST(LinalgSolve, VectorMatrixAndBroadcastBatch) {
  array a = mat(kA3, {3, 3});
  array x = linalg::solve(a, array({1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(x.shape(), Shape{3});
  expect_close(x, kA3solveb, 1e-6);
  array xm = linalg::solve(a, mat({1, 0, 2, 1, 3, -1}, {3, 2}));
  EXPECT_EQ(xm.shape(), (Shape{3, 2}));
  expect_close(xm, kA3solveB, 1e-6);
  // Batch dims broadcast: a (2, 1, 3, 3) with b (3, 3, 2) -> (2, 3, 3, 2).
  array ab = broadcast_to(a, {2, 1, 3, 3});
  array bb = broadcast_to(mat({1, 0, 2, 1, 3, -1}, {3, 2}), {3, 3, 2});
  array xb = linalg::solve(ab, bb);
  EXPECT_EQ(xb.shape(), (Shape{2, 3, 3, 2}));
  Vec xv = to_doubles(xb);
  for (int i = 0; i < 6; ++i) expect_close(part(xv, i, 3, 2), kA3solveB, 1e-6);
  // A 1-D b with batched a: one vector for every matrix.
  array xv2 = linalg::solve(broadcast_to(a, {4, 3, 3}), array({1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(xv2.shape(), (Shape{4, 3}));
  expect_close(part(to_doubles(xv2), 3, 1, 3), kA3solveb, 1e-6);
  // Promotion: float64 with an int b.
  array xd = linalg::solve(mat(kA3, {3, 3}, float64), mat({1, 2, 3}, {3}, int32));
  EXPECT_EQ(xd.dtype(), float64);
  expect_close(xd, kA3solveb, 1e-12);
}

TEST(LinalgSolve, Triangular) {
  array x = linalg::solve_triangular(mat(kLt, {3, 3}), array({8.0f, 14.0f, 3.0f}));
  expect_close(x, kLtsolve, 1e-6);
  // Upper, through the transpose of a lower matrix with garbage above... read as upper.
  Vec lt_garbage = kLt;
  lt_garbage[3] = 100;  // below the diagonal of Ltᵀ's row-major view is ignored
  array u = mat(transpose(kLt, 3, 3), {3, 3});
  array bu = mat(matmul(transpose(kLt, 3, 3), {1, 2, 3}, 3, 3, 1), {3});
  expect_close(linalg::solve_triangular(u, bu, true), {1, 2, 3}, 1e-5);
  Vec ug = transpose(kLt, 3, 3);
  ug[3] = ug[6] = ug[7] = 99;
  expect_close(linalg::solve_triangular(mat(ug, {3, 3}), bu, true), {1, 2, 3}, 1e-5);
  // Batched multi-column rhs.
  array xb = linalg::solve_triangular(broadcast_to(u, {3, 4, 3, 3}),
                                      broadcast_to(reshape(bu, {3, 1}), {3, 4, 3, 8}), true);
  EXPECT_EQ(xb.shape(), (Shape{3, 4, 3, 8}));
  Vec xv = to_doubles(xb);
  for (int j = 0; j < 8; ++j) EXPECT_NEAR(xv[xv.size() - 8 + j], 3.0, 1e-5);
}

TEST(LinalgSolve, Errors) {
  array a = zeros({3, 3});
  expect_message(invalid_argument_message([] { linalg::solve(zeros({3}), zeros({3})); }),
                 "linalg::solve", "First input must have >= 2 dimensions. Received array with 1 dimensions.");
  expect_message(invalid_argument_message([&] { linalg::solve(a, array(1.0f)); }),
                 "linalg::solve", "Second input must have >= 1 dimensions.");
  expect_message(invalid_argument_message([] { linalg::solve(zeros({2, 3}), zeros({2})); }),
                 "linalg::solve", "First input must be a square matrix. Received array with shape (2,3).");
  expect_message(invalid_argument_message([&] { linalg::solve(a, zeros({2, 1})); }),
                 "linalg::solve", "Last dimension of first input with shape (3,3) must match second to last dimension of second input with shape (2,1).");
  expect_message(invalid_argument_message([] { linalg::solve(zeros({3, 3}, int32), zeros({3}, int32)); }),
                 "linalg::solve", "Input arrays must promote to float32 or float64.");
  expect_message(invalid_argument_message([] { linalg::solve(zeros({2, 3, 3}), zeros({4, 3, 1})); }),
                 "linalg::solve", "cannot be broadcast");
  expect_message(invalid_argument_message([] { linalg::solve_triangular(zeros({2, 3}), zeros({2})); }),
                 "linalg::solve_triangular", "square matrix");
  expect_message(runtime_error_message([] { linalg::solve(mat({1, 2, 2, 4}, {2, 2}), zeros({2})).eval(); }),
                 "linalg::solve", "The matrix is singular");
  expect_message(runtime_error_message([] { linalg::solve_triangular(mat({1, 0, 2, 0}, {2, 2}), zeros({2})).eval(); }),
                 "linalg::solve_triangular", "The matrix is singular");
}

// ---- cross ---------------------------------------------------------------------------------

TEST(LinalgCross, KnownValuesTwoElementBroadcastAndDtypes) {
  array a = mat({1, 2, 3, 4, 5, 6}, {2, 3}), b = mat({4, 5, 6, 1, 2, 3}, {2, 3});
  array c = linalg::cross(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 3}));
  expect_close(c, kCross, 0);
  expect_close(linalg::cross(transpose(a), transpose(b), 0), transpose(kCross, 2, 3), 0);
  expect_close(linalg::cross(array({1.0f, 2.0f}), array({3.0f, 4.0f, 5.0f})), kCross2, 0);
  array ints = linalg::cross(mat({1, 2, 3}, {3}, int32), mat({4, 5, 6}, {3}, int32));
  EXPECT_EQ(ints.dtype(), int32);
  expect_close(ints, {-3, 6, -3}, 0);
  array promoted = linalg::cross(array({1.0f, 2.0f, 3.0f}), mat({4, 5, 6}, {3}, int32));
  EXPECT_EQ(promoted.dtype(), float32);
  // (2, 1, 3) x (1, 2, 3) -> (2, 2, 3).
  array bc = linalg::cross(mat({1, 0, 0, 0, 1, 0}, {2, 1, 3}), mat({0, 1, 0, 0, 0, 1}, {1, 2, 3}));
  EXPECT_EQ(bc.shape(), (Shape{2, 2, 3}));
  expect_close(bc, {0, 0, 1, 0, -1, 0, 0, 0, 0, 1, 0, 0}, 0);
  array halves = linalg::cross(mat({1, 2, 3}, {3}, float16), mat({4, 5, 6}, {3}, float16));
  EXPECT_EQ(halves.dtype(), float16);
  expect_close(halves, {-3, 6, -3}, 0);
}

TEST(LinalgCross, Errors) {
  expect_message(invalid_argument_message([] { linalg::cross(array({1.0f}), array({4.0f})); }),
                 "linalg::cross", "The specified axis must have size 2 or 3.");
  expect_message(invalid_argument_message([] { linalg::cross(zeros({3}), zeros({3}), 1); }),
                 "linalg::cross", "axis 1 invalid for array with 1 dimensions.");
  expect_message(invalid_argument_message([] { linalg::cross(zeros({2, 3}), zeros({4, 3})); }),
                 "linalg::cross", "cannot be broadcast");
}

}  // namespace

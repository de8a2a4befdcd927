"""Array operations (``mk.ops``): the part of ``keras.ops`` that custom code calls.

Keras 3 programs write custom losses, metrics and callbacks with ``keras.ops``
(``ops.mean(ops.square(y_true - y_pred), axis=-1)``), so those functions must
exist for such programs to run unchanged. Here every value is a NumPy array, so
each op is its NumPy namesake with Keras's argument names and defaults; results
are :class:`~minikeras._tensor.Tensor` views (``.numpy()`` works, as in Keras).

Result dtypes follow Keras 3, not NumPy:

- Python ``int``/``float`` arguments are *weak*: ``ops.add(float32_array, 1)`` and
  ``ops.power(x, 2)`` keep float32; a Python float only makes an integer or bool
  operand float (``floatx``), a Python int makes a bool operand int32. This is
  decided here, not left to NumPy, so NumPy 1.26 (value-based casting) and
  NumPy 2 (weak scalars) give the same dtypes.
- Python data (``convert_to_tensor([1.5, 2.])``, ``ones``, ``arange(0.5, 3)``)
  becomes ``mk.config.floatx()``; Python ints become int32.
- int and float arrays together give the float operand's dtype (int32 + float32 is
  float32, not NumPy's float64); ``divide`` and means of integers give ``floatx``;
  sums of bools and small ints give int32; indices (``argmax``, ``top_k``) are int32.

A custom loss written with these ops is differentiated numerically (see
``losses.LossFunctionWrapper``), so ``stop_gradient`` is the identity.
"""

from __future__ import annotations

from .arrays import (  # noqa: A004
    arange,
    argsort,
    concatenate,
    diag,
    einsum,
    expand_dims,
    eye,
    flip,
    full,
    full_like,
    hstack,
    identity,
    linspace,
    meshgrid,
    moveaxis,
    ndim,
    one_hot,
    ones,
    ones_like,
    pad,
    ravel,
    repeat,
    reshape,
    shape,
    size,
    sort,
    split,
    squeeze,
    stack,
    swapaxes,
    take,
    take_along_axis,
    tensordot,
    tile,
    transpose,
    tri,
    tril,
    triu,
    unique,
    vstack,
    zeros,
    zeros_like,
)
from .core import (  # noqa: A004
    cast,
    convert_to_numpy,
    convert_to_tensor,
    is_tensor,
    stop_gradient,
)
from .elementwise import (  # noqa: A004
    abs,
    absolute,
    add,
    allclose,
    ceil,
    clip,
    cos,
    divide,
    dot,
    equal,
    erf,
    exp,
    expm1,
    floor,
    floor_divide,
    greater,
    greater_equal,
    isclose,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    maximum,
    minimum,
    mod,
    multiply,
    nan_to_num,
    negative,
    not_equal,
    outer,
    power,
    reciprocal,
    round,
    rsqrt,
    sign,
    sin,
    sqrt,
    square,
    subtract,
    tanh,
    true_divide,
    trunc,
    where,
)
from .nn import (  # noqa: A004
    binary_crossentropy,
    categorical_crossentropy,
    elu,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    sparse_categorical_crossentropy,
    swish,
)
from .reductions import (  # noqa: A004
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    average,
    count_nonzero,
    cumprod,
    cumsum,
    logsumexp,
    max,
    mean,
    median,
    min,
    norm,
    prod,
    std,
    sum,
    top_k,
    var,
)

__all__ = [
    "abs", "absolute", "add", "all", "allclose", "amax", "amin", "any", "arange", "argmax",
    "argmin", "argsort", "average", "binary_crossentropy", "cast", "categorical_crossentropy",
    "ceil", "clip", "concatenate", "convert_to_numpy", "convert_to_tensor", "cos",
    "count_nonzero", "cumprod", "cumsum", "diag", "divide", "dot", "einsum", "elu", "equal",
    "erf", "exp", "expand_dims", "expm1", "eye", "flip", "floor", "floor_divide", "full",
    "full_like", "gelu", "greater", "greater_equal", "hard_sigmoid", "hard_silu",
    "hard_swish", "hstack", "identity", "is_tensor", "isclose", "isfinite", "isinf", "isnan",
    "leaky_relu", "less", "less_equal", "linspace", "log", "log1p", "log2", "log10",
    "log_sigmoid", "log_softmax", "logical_and", "logical_not", "logical_or", "logical_xor",
    "logsumexp", "matmul", "max", "maximum", "mean", "median", "meshgrid", "min", "minimum",
    "mod", "moveaxis", "multiply", "nan_to_num", "ndim", "negative", "norm", "not_equal",
    "one_hot", "ones", "ones_like", "outer", "pad", "power", "prod", "ravel", "reciprocal",
    "relu", "relu6", "repeat", "reshape", "round", "rsqrt", "selu", "shape", "sigmoid",
    "sign", "silu", "sin", "size", "softmax", "softplus", "softsign", "sort",
    "sparse_categorical_crossentropy", "split", "sqrt", "square", "squeeze", "stack", "std",
    "stop_gradient", "subtract", "sum", "swapaxes", "swish", "take", "take_along_axis",
    "tanh", "tensordot", "tile", "top_k", "transpose", "tri", "tril", "triu", "true_divide",
    "trunc", "unique", "var", "vstack", "where", "zeros", "zeros_like",
]

"""What the allowlist's entries are made of (tests/fuzz/known_divergences.py and its open_*.py
parts): the entry helpers, and the reasons of the differences on purpose, each one listed in
docs/pytorch_differences.rst, with the patterns some entries match."""

from fuzz_engine import ACCEPTS, DTYPE, EXC, INPUT, KIND, LENIENT, RAISES, SHAPE, VALUE


def _known(op, kind, reason, match=None):
    return {"op": op, "kind": kind, "reason": reason, "match": match}


def _open(op, kind, example):
    """A divergence the fuzzer found that nobody has decided on yet; `example` is one detail."""
    return _known(op, kind, f"open: issue 14 (fuzzing): {example}")


# Differences on purpose, as docs/pytorch_differences.rst lists them.
_PYTHON_CONVERSIONS = ("intended: docs: arguments convert as Python's do (a bool is an int, a number a 0-d tensor, "
                       "dim=None every dim) where torch's parser raises TypeError")
_SUBNORMAL_DIVISOR = "intended: docs: fmod/remainder by a subnormal divisor follow IEEE"
_WINOGRAD_TILES = ("intended: docs: a float32 3x3 convolution on the Winograd kernels spreads an inf or NaN input "
                   "over its 4x4 tiles")
_PADDING_TIMES_INF = ("intended: docs: a convolution's padded borders are NaN where the weight holds inf or NaN "
                      "(0 * inf); torch's oneDNN path skips the padding for some shapes")
_FINITE_NEAR_OVERFLOW = "intended: docs: sinh/cosh/i0 of floats near overflow are finite"
_LOOP_SIGNED_ZERO = ("intended: docs: the sign of a zero from softshrink/gelu/maximum-like ties is torch's "
                     "scalar loop's; its vector loop gives the other")
_GCD_MIN = ("intended: docs: gcd/lcm of the dtype's minimum are the true magnitude (torch's |x| wraps), and an int32 "
            "lcm past the range is the true lcm wrapped")
_TORCH_ALLOCATOR = ("intended: the fuzz children's memory cap: torch's allocator refuses a block of several hundred "
                    "MB under it that ember's allocation gets")
_COV_WRITES_INPUT = "intended: docs: torch.cov overwrites a 0-d input when given weights; ember leaves it alone"
_NAN_SIGN = ("intended: docs: a NaN keeps its sign bit through 16-bit conversions (torch's float32-to-bfloat16 "
             "sets it, its float64 ones clear it), which copysign reads")
_BIG_INT = "intended: docs: Python ints in [2^63, 2^64) against integer tensors raise (torch wraps them)"
_OUT_NUMBER = "intended: docs: out= must be a tensor (torch turns a number or bool into a throwaway tensor)"
_BLAS_OVERFLOW = ("intended: docs: where a matrix product's sums overflow, whether the result is inf, NaN "
                  "or finite depends on the BLAS's order and fused multiply-adds; so does the sign of a zero")
# a value finding whose listed differences are all overflow (inf, NaN, beyond 1e30 or 1e300) or
# the sign of a zero
_BIG = r"(-?inf|nan|-?\d\.?\d*e\+(3[0-8]|30[0-8]))"
_BLAS_ONLY = (r"^(result|self)(\[\d+\])?: \d+ of \d+ differ \((\[[\d, ]*\]: (ember np\.\w+\(" + _BIG + r"\) torch np\.\w+\(" + _BIG
              + r"\)|ember np\.\w+\(-?0\.0\) torch np\.\w+\(-?0\.0\))(, )?)+\) ")
_UNIQUE_TIES = ("intended: docs: unique keeps equal values (+0 and -0, the NaNs) in input order "
                "(a stable sort); torch's order among them is unspecified")
_UNIQUE_CONSECUTIVE_POSITIONAL = ("intended: docs: torch.unique_consecutive(x, True, ...) with a "
                                  "positional return_inverse returns an empty, wrong or no inverse (a torch "
                                  "quirk); ember answers as torch's keyword form")
_NAN_BOUNDARIES = ("intended: docs: boundaries holding NaN are not sorted; ember orders NaN last, "
                   "as sort does")
_PDIST_NEAR_OVERFLOW = ("intended: docs: float32 pdist with a fractional p near FLT_MAX rounds as "
                        "NumPy's, finite where torch's vector pow overflows")
_MODE_NAN = ("intended: docs: mode orders NaN last, as sort does (torch's sort for mode is broken by "
             "a NaN: its answer for a row holding NaN depends on where the NaN is); of "
             "equal values (+0 and -0) it gives the last in input order, torch any")
_WELFORD_MEAN = ("intended: docs: var_mean's and std_mean's mean is mean()'s, inf for a slice holding "
                 "inf; torch's one-pass update gives NaN unless the inf comes last")
_EXPANDED_SELECT = ("intended: docs: torch's median and nanmedian along a dim of an expanded (stride-0) "
                    "tensor read the wrong elements; ember reads the tensor's values")
_SIGNED_ZERO_TIES = ("intended: docs: of tied +0 and -0, median, nanmedian and kthvalue pick the one a "
                     "stable sort puts there; torch's selection picks either")
# a value finding whose listed differences are all the sign of a zero
_ZEROS_ONLY = r"^(result|self)(\[\d+\])?: \d+ of \d+ differ \((\[[\d, ]*\]: ember np\.\w+\(-?0\.0\) torch np\.\w+\(-?0\.0\)(, )?)+\) "
_SLOGDET_ZERO_SIGN = ("intended: docs: slogdet's sign of a singular or NaN matrix is a zero whose sign follows "
                      "the LU's pivots, which differ between LAPACKs")
_PRINTOPTIONS_CHECKED = ("intended: docs: set_printoptions checks its arguments; torch stores whatever it "
                         "is given")
_EXPANDED_WRITE = ("intended: docs: in-place ops of an expanded tensor raise (torch lets some write: its "
                   "masked_fill_ there is deprecated, and its tril_ result depends on the order of the writes)")
_LOGSUMEXP_NO_DIMS = ("intended: docs: logsumexp with dim=() reduces every dim, as sum; torch's raises for an input "
                      "of one or more dims")
_EMPTY_UNCHECKED = ("intended: docs: an empty input is checked as a non-empty one; torch returns some empty "
                    "results unchecked")
_WRONG_RANK = ("intended: docs: an input of the wrong number of dims raises ValueError naming the dims expected; "
               "torch's kernel reads a dim the input lacks (IndexError)")
_WRONG_RANK_ERRORS = (r"^ember (ValueError|RuntimeError): [^|]*(\d-[Dd]\b|\d-dimensional|\bdims\b|dimension)[^|]* \| "
                      r"torch IndexError: (Dimension out of range|Dimension specified as|index_select\(\): Index is "
                      r"supposed to be a vector)")
_EMPTY_RESULT = r"torch returned torch\.Tensor\(shape=\((\d+, )*0(, \d+)*,?\)"
_HISTC_16BIT = ("intended: docs: histc of float16/bfloat16 counts exactly and rounds once; torch counts in "
                "the 16-bit dtype, whose counts stop growing once adding 1 rounds away")
_EMPTY_BAGS = ("intended: docs: embedding_bag of a 2-D input of empty bags gives zeros; torch raises 'step must "
               "be nonzero'")
_KRON_VIEW = ("intended: docs: torch's kron raises a view error on some non-contiguous inputs; "
              "ember computes them")


_NORM_OVERFLOW = ("intended: docs: layer_norm/group_norm of a row whose sum or squares overflow: "
                  "ember's moments are inf (zeros out), torch's Welford merge gives NaN or a finite mean")
_NAN_OR_ZERO = r"ember np\.float\d+\((nan|-?0\.0)\) torch np\.float\d+\((nan|-?0\.0)\)"
_LOG_SOFTMAX_HALF = ("intended: docs: float16/bfloat16 log_softmax rounds once; torch's last-dim kernel "
                     "rounds the sum of exponentials to the dtype first")
_HALF_FILL = ("intended: docs: a margin beyond a float16/bfloat16 input's range raises for a "
              "one-element input too (torch's fill skips its check there)")


_ONE_ELEMENT_NORM = ("intended: docs: a one-element row or group normalizes to exactly 0 (torch's one-pass "
                     "variance leaves rounding error)")
_ALPHA_16BIT = ("intended: docs: add/sub with alpha on float16/bfloat16 follow torch's choice of loop (fused in "
                "its vector loop, the product rounded first in its scalar one) for the layouts ember can see")
_TWO_PASS_VAR = ("intended: docs: var/std of a slice whose sum overflows are inf, as torch's two-pass kernel; "
                 "its Welford kernel (other layouts) can stay finite")
_LONG_SUM_ORDER = ("intended: docs: float32 sums (dot products, p-norm distances, means of large ints) add in "
                   "another order than torch's (each within float32's error bound)")
_LDEXP_WRAP = ("intended: docs: ldexp with integer exponents beyond the float range gives inf or 0; torch "
               "computes 2 ** e in the exponent's integer dtype first, which wraps")
_FLOAT32_INTERMEDIATE = ("intended: docs: a float32 exp or digamma (within a few ulp of torch's) feeding a float64 "
                         "result shows at float64's tolerance (a float64 target or out=)")
_CIRCULAR_WRAP = ("intended: docs: circular pad wrapping around more than what cropping leaves raises; "
                  "torch returns uninitialized memory")


# Triaged from the 5M-call run (seed 7) and a 1M-call run (seed 8): classes of difference, each
# documented in docs/pytorch_differences.rst.
_OVERFLOW_ORDER = ("intended: docs: once an intermediate overflows (sums, products, fused multiply-adds), "
                   "whether a result is inf, -inf, NaN or finite follows the order of operations, which "
                   "differs from torch's kernels")
_LAPACK = ("intended: docs: LU-based ops (det, slogdet, logdet, inv), matrix_exp and matrix_power of "
           "singular, ill-conditioned or extreme matrices follow the LAPACK's pivoting and scaling "
           "(OpenBLAS here, MKL in torch)")
_ZERO_SIGN = ("intended: docs: the sign of a zero result can differ from torch's where its vector and "
              "scalar loops disagree")
_TORCH_NO_KERNEL = ("intended: docs: ember computes dtypes torch's CPU kernel lacks (float16 and bfloat16; integers "
                    "and bool where the answer is exact in the dtype)")
_TORCH_CAT_STRIDED_OUT = ("intended: torch's cat of one tensor into a one-element non-contiguous out leaves out "
                          "unwritten (a bug in torch); ember writes it")
_TORCH_ASSERT = "intended: torch fails an internal assert (a bug in torch); ember answers"
_EXPANDED_OUT = ("intended: docs: an out= whose elements share memory (expanded) and whose shape differs is "
                 "resized, for every op (torch's pointwise ops refuse it; its reductions resize it)")
_BIG_NUMBER_ARG = ("intended: docs: Python ints in [2^63, 2^64) raise against integer or bool tensors, and as "
                   "number arguments (value=, alpha=, fill values) whatever the dtype")
_ARANGE_16BIT = ("intended: docs: float16/bfloat16 arange (and the windows built on it) rounds each value once; "
                 "torch's vector kernel rounds each block's start first")
_LINEAR_BIAS = ("intended: docs: F.linear adds any bias that broadcasts to the result; torch's addmm path for a "
                "contiguous 3-D input refuses some")
_UNSPECIFIED_INPUT = ("intended: docs: searchsorted on boundaries that are not sorted, isin(assume_unique=True) "
                      "on inputs that are not unique: unspecified in both libraries")
_SINGULAR_VECTORS = ("intended: docs: singular vectors' signs, and the basis of repeated or vanishing singular "
                     "values (Q's columns for a rank-deficient qr), are the LAPACK's choice (OpenBLAS here, MKL in torch)")
_HISTC_COLLAPSED = ("intended: docs: histc of values whose range collapses in the dtype counts them in the first "
                    "bin; torch's bin is 0 / 0 cast to an integer (undefined)")
_STRIDED_HALF_DOT = ("intended: docs: float16/bfloat16 inner and dot add the products in float32 whatever the "
                     "layout; torch's strided path rounds each product first")
_HALF_CONV_TRANSPOSE = ("intended: docs: float16/bfloat16 transposed convolutions add in float32 and round once; "
                        "torch's kernel rounds its partial sums to the dtype")
_HALF_ROUNDED_ONCE = ("intended: docs: float16/bfloat16 prod, logsumexp, nansum, matrix_exp and fold compute in "
                      "float32 and round once; torch's round steps to the dtype")
_NARROW_INTO_WIDE_OUT = ("intended: docs: a float16/bfloat16 computation written into a wider out= keeps its 16-bit "
                         "rounding, one step of which may differ from torch's")
_INDICES_OVERFLOW = ("intended: docs: tril_indices/triu_indices near int64's limit count exactly; torch's "
                     "element count overflows")
_EMPTY_BATCH_MEAN = ("intended: docs: a loss averaged over an empty batch is NaN; torch's multilabel_margin_loss "
                     "returns uninitialized memory")
_TINY_EXPONENT = ("intended: docs: x ** 1e-300 is NaN for negative float32/float64 x whatever the layout "
                  "(torch's vector loop gives 1)")
_UNIQUE_DIM_NAN = ("intended: docs: unique with dim= orders slices holding NaN with NaN last, so equal slices meet; "
                   "torch's comparison is broken by NaN")
_POLYGAMMA_FLOAT64 = ("intended: docs: polygamma of float32 and 16-bit floats computes in float64 and rounds once; "
                      "torch's float32 series loses digits near the poles")
_BYTES_AS_BOOL = "intended: docs: asarray of bytes as bool stores 0 or 1; torch keeps the raw byte"

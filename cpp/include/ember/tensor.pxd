# Cython declarations of ember/tensor.h, ember/ops.h and ember/random.h (the C++ namespace ember).
# Every call raises the Python exception ember would (ValueError, TypeError, IndexError, ...).
# C++ default arguments are declared as overloads (Cython's extern functions take no defaults).
from libc.stdint cimport int8_t, int64_t, uint64_t
from libcpp cimport bool
from libcpp.optional cimport optional
from libcpp.pair cimport pair
from libcpp.string cimport string
from libcpp.vector cimport vector

cdef extern from "ember/python.h" namespace "ember::python":
    # Cython's C++ exception handler: sets the Python exception ember's bindings raise.
    int raise_python_error() except *

cdef extern from "ember/ember.h" namespace "ember" nogil:
    ctypedef vector[int64_t] Shape
    ctypedef vector[int64_t] Dims
    ctypedef optional[vector[int64_t]] OptDims

    cdef enum class DType(int8_t):
        Bool
        Int64
        Float32
        Float64
        UInt8
        Int8
        Int16
        Int32
        Float16
        BFloat16
    ctypedef optional[DType] OptDType
    int64_t itemsize(DType t)
    const char* dtype_name(DType t)
    bool is_floating(DType t)
    DType promote_types(DType a, DType b)

    cdef enum class DeviceType(int8_t):
        CPU
        CUDA
    cdef cppclass Device:
        DeviceType type
        int index
        bool is_cpu()
        string str()
        @staticmethod
        Device parse(const string& s) except +raise_python_error

    # A Python number kept with its kind (bool, int or float) for type promotion.
    cdef cppclass Scalar:
        Scalar()
        Scalar(bool v)
        Scalar(int64_t v)
        Scalar(double v)
        DType kind()
        bool is_floating()
        T to[T]()
        double to_double()

    cdef cppclass Generator:
        Generator()
        Generator(uint64_t seed)
        void manual_seed(uint64_t seed)
    void manual_seed(uint64_t seed)

    # A cheap, shared handle: copies alias the same tensor (its memory, grad and graph).
    cdef cppclass Tensor:
        Tensor()
        bool defined()
        const Shape& sizes()
        const Shape& strides()
        int64_t size(int64_t dim) except +raise_python_error
        int64_t stride(int64_t dim) except +raise_python_error
        int64_t dim()
        int64_t numel()
        int64_t offset()
        DType dtype()
        Device device()
        int64_t itemsize()
        int64_t nbytes()
        bool is_contiguous()
        bool is_same(const Tensor& other)
        void* raw_data()
        T* data[T]() except +raise_python_error
        T item[T]() except +raise_python_error  # item[double]()
        bool requires_grad()
        Tensor& requires_grad_(bool requires_grad) except +raise_python_error
        Tensor grad()
        void backward() except +raise_python_error
        void backward(const Tensor& gradient) except +raise_python_error
        void backward(const Tensor& gradient, optional[bool] retain_graph) except +raise_python_error
        void backward(const Tensor& gradient, optional[bool] retain_graph, bool create_graph) except +raise_python_error
        Tensor detach() except +raise_python_error
        bool is_view()
        # The C++ operators of ember/ops.h (free functions there).
        Tensor operator+(const Tensor&) except +raise_python_error
        Tensor operator-(const Tensor&) except +raise_python_error
        Tensor operator*(const Tensor&) except +raise_python_error
        Tensor operator/(const Tensor&) except +raise_python_error
        Tensor operator-() except +raise_python_error
        Tensor operator+(Scalar) except +raise_python_error
        Tensor operator-(Scalar) except +raise_python_error
        Tensor operator*(Scalar) except +raise_python_error
        Tensor operator/(Scalar) except +raise_python_error

    # ---- creation ----
    Tensor empty(const Shape& size) except +raise_python_error
    Tensor empty(const Shape& size, DType dtype) except +raise_python_error
    Tensor empty(const Shape& size, DType dtype, Device device) except +raise_python_error
    Tensor zeros(const Shape& size) except +raise_python_error
    Tensor zeros(const Shape& size, DType dtype) except +raise_python_error
    Tensor zeros(const Shape& size, DType dtype, Device device) except +raise_python_error
    Tensor ones(const Shape& size) except +raise_python_error
    Tensor ones(const Shape& size, DType dtype) except +raise_python_error
    Tensor ones(const Shape& size, DType dtype, Device device) except +raise_python_error
    Tensor full(const Shape& size, Scalar value) except +raise_python_error
    Tensor full(const Shape& size, Scalar value, OptDType dtype) except +raise_python_error
    Tensor full(const Shape& size, Scalar value, OptDType dtype, Device device) except +raise_python_error
    Tensor scalar_tensor(Scalar value) except +raise_python_error
    Tensor scalar_tensor(Scalar value, OptDType dtype) except +raise_python_error
    Tensor scalar_tensor(Scalar value, OptDType dtype, Device device) except +raise_python_error
    Tensor arange(Scalar start, Scalar end) except +raise_python_error
    Tensor arange(Scalar start, Scalar end, Scalar step) except +raise_python_error
    Tensor arange(Scalar start, Scalar end, Scalar step, OptDType dtype) except +raise_python_error
    Tensor arange(Scalar start, Scalar end, Scalar step, OptDType dtype, Device device) except +raise_python_error
    Tensor linspace(double start, double end, int64_t steps) except +raise_python_error
    Tensor linspace(double start, double end, int64_t steps, DType dtype) except +raise_python_error
    Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device) except +raise_python_error
    Tensor eye(int64_t n) except +raise_python_error
    Tensor eye(int64_t n, optional[int64_t] m) except +raise_python_error
    Tensor eye(int64_t n, optional[int64_t] m, DType dtype) except +raise_python_error
    Tensor eye(int64_t n, optional[int64_t] m, DType dtype, Device device) except +raise_python_error
    Tensor rand(const Shape& size) except +raise_python_error
    Tensor rand(const Shape& size, DType dtype) except +raise_python_error
    Tensor rand(const Shape& size, DType dtype, Generator* gen) except +raise_python_error
    Tensor randn(const Shape& size) except +raise_python_error
    Tensor randn(const Shape& size, DType dtype) except +raise_python_error
    Tensor randn(const Shape& size, DType dtype, Generator* gen) except +raise_python_error
    Tensor randint(int64_t low, int64_t high, const Shape& size) except +raise_python_error
    Tensor randint(int64_t low, int64_t high, const Shape& size, DType dtype) except +raise_python_error
    Tensor randint(int64_t low, int64_t high, const Shape& size, DType dtype, Generator* gen) except +raise_python_error
    Tensor randperm(int64_t n) except +raise_python_error
    Tensor randperm(int64_t n, DType dtype) except +raise_python_error
    Tensor randperm(int64_t n, DType dtype, Generator* gen) except +raise_python_error

    # ---- copies and conversion ----
    Tensor& copy_(Tensor& dst, const Tensor& src) except +raise_python_error
    Tensor& fill_(Tensor& t, Scalar value) except +raise_python_error
    Tensor& zero_(Tensor& t) except +raise_python_error
    Tensor clone(const Tensor& t) except +raise_python_error
    Tensor contiguous(const Tensor& t) except +raise_python_error
    Tensor to_dtype(const Tensor& t, DType dtype) except +raise_python_error
    Tensor to_dtype(const Tensor& t, DType dtype, bool copy) except +raise_python_error
    bool allclose(const Tensor& a, const Tensor& b) except +raise_python_error
    bool allclose(const Tensor& a, const Tensor& b, double rtol) except +raise_python_error
    bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) except +raise_python_error
    bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) except +raise_python_error
    bool equal(const Tensor& a, const Tensor& b) except +raise_python_error

    # ---- views and shapes ----
    Tensor reshape(const Tensor& t, const Shape& shape) except +raise_python_error
    Tensor view(const Tensor& t, const Shape& shape) except +raise_python_error
    Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) except +raise_python_error
    Tensor permute(const Tensor& t, const Dims& dims) except +raise_python_error
    Tensor expand(const Tensor& t, const Shape& size) except +raise_python_error
    Tensor squeeze(const Tensor& t) except +raise_python_error
    Tensor squeeze(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor unsqueeze(const Tensor& t, int64_t dim) except +raise_python_error
    Tensor flatten(const Tensor& t) except +raise_python_error
    Tensor flatten(const Tensor& t, int64_t start_dim) except +raise_python_error
    Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) except +raise_python_error
    Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) except +raise_python_error
    Tensor select(const Tensor& t, int64_t dim, int64_t index) except +raise_python_error
    Tensor cat(const vector[Tensor]& tensors) except +raise_python_error
    Tensor cat(const vector[Tensor]& tensors, int64_t dim) except +raise_python_error
    Tensor stack(const vector[Tensor]& tensors) except +raise_python_error
    Tensor stack(const vector[Tensor]& tensors, int64_t dim) except +raise_python_error
    vector[Tensor] split(const Tensor& t, int64_t split_size) except +raise_python_error
    vector[Tensor] split(const Tensor& t, int64_t split_size, int64_t dim) except +raise_python_error
    vector[Tensor] chunk(const Tensor& t, int64_t chunks) except +raise_python_error
    vector[Tensor] chunk(const Tensor& t, int64_t chunks, int64_t dim) except +raise_python_error

    # ---- indexing ----
    Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) except +raise_python_error
    Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) except +raise_python_error
    Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) except +raise_python_error
    Tensor masked_fill(const Tensor& t, const Tensor& mask, Scalar value) except +raise_python_error
    Tensor one_hot(const Tensor& t) except +raise_python_error
    Tensor one_hot(const Tensor& t, int64_t num_classes) except +raise_python_error

    # ---- pointwise (a selection of ember/elementwise.def; each has an in-place name_) ----
    Tensor add(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor sub(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor mul(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor div(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor pow(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor maximum(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor minimum(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor eq(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor ne(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor lt(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor le(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor gt(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor ge(const Tensor& x, const Tensor& y) except +raise_python_error
    Tensor& add_(Tensor& x, const Tensor& y) except +raise_python_error
    Tensor& sub_(Tensor& x, const Tensor& y) except +raise_python_error
    Tensor& mul_(Tensor& x, const Tensor& y) except +raise_python_error
    Tensor& div_(Tensor& x, const Tensor& y) except +raise_python_error
    Tensor neg(const Tensor& x) except +raise_python_error
    Tensor abs(const Tensor& x) except +raise_python_error
    Tensor exp(const Tensor& x) except +raise_python_error
    Tensor log(const Tensor& x) except +raise_python_error
    Tensor sqrt(const Tensor& x) except +raise_python_error
    Tensor square(const Tensor& x) except +raise_python_error
    Tensor sin(const Tensor& x) except +raise_python_error
    Tensor cos(const Tensor& x) except +raise_python_error
    Tensor tanh(const Tensor& x) except +raise_python_error
    Tensor sigmoid(const Tensor& x) except +raise_python_error
    Tensor relu(const Tensor& x) except +raise_python_error
    Tensor& relu_(Tensor& x) except +raise_python_error
    Tensor clamp(const Tensor& x, const optional[Tensor]& min, const optional[Tensor]& max) except +raise_python_error

    # ---- reductions ----
    Tensor sum(const Tensor& t) except +raise_python_error
    Tensor sum(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor sum(const Tensor& t, const OptDims& dims, bool keepdim) except +raise_python_error
    Tensor sum(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) except +raise_python_error
    Tensor mean(const Tensor& t) except +raise_python_error
    Tensor mean(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor mean(const Tensor& t, const OptDims& dims, bool keepdim) except +raise_python_error
    Tensor mean(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) except +raise_python_error
    Tensor prod(const Tensor& t) except +raise_python_error
    Tensor prod(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor prod(const Tensor& t, const OptDims& dims, bool keepdim) except +raise_python_error
    Tensor prod(const Tensor& t, const OptDims& dims, bool keepdim, OptDType dtype) except +raise_python_error
    Tensor amax(const Tensor& t) except +raise_python_error
    Tensor amax(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor amax(const Tensor& t, const OptDims& dims, bool keepdim) except +raise_python_error
    Tensor amin(const Tensor& t) except +raise_python_error
    Tensor amin(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor amin(const Tensor& t, const OptDims& dims, bool keepdim) except +raise_python_error
    Tensor max(const Tensor& t) except +raise_python_error
    Tensor min(const Tensor& t) except +raise_python_error
    pair[Tensor, Tensor] max_dim(const Tensor& t, int64_t dim) except +raise_python_error
    pair[Tensor, Tensor] max_dim(const Tensor& t, int64_t dim, bool keepdim) except +raise_python_error
    pair[Tensor, Tensor] min_dim(const Tensor& t, int64_t dim) except +raise_python_error
    pair[Tensor, Tensor] min_dim(const Tensor& t, int64_t dim, bool keepdim) except +raise_python_error
    Tensor argmax(const Tensor& t) except +raise_python_error
    Tensor argmax(const Tensor& t, optional[int64_t] dim) except +raise_python_error
    Tensor argmax(const Tensor& t, optional[int64_t] dim, bool keepdim) except +raise_python_error
    Tensor argmin(const Tensor& t) except +raise_python_error
    Tensor argmin(const Tensor& t, optional[int64_t] dim) except +raise_python_error
    Tensor argmin(const Tensor& t, optional[int64_t] dim, bool keepdim) except +raise_python_error
    Tensor var(const Tensor& t) except +raise_python_error
    Tensor var(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor var(const Tensor& t, const OptDims& dims, double correction) except +raise_python_error
    Tensor var(const Tensor& t, const OptDims& dims, double correction, bool keepdim) except +raise_python_error
    Tensor std(const Tensor& t) except +raise_python_error
    Tensor std(const Tensor& t, const OptDims& dims) except +raise_python_error
    Tensor std(const Tensor& t, const OptDims& dims, double correction) except +raise_python_error
    Tensor std(const Tensor& t, const OptDims& dims, double correction, bool keepdim) except +raise_python_error
    Tensor cumsum(const Tensor& t, int64_t dim) except +raise_python_error
    Tensor cumsum(const Tensor& t, int64_t dim, OptDType dtype) except +raise_python_error
    Tensor softmax(const Tensor& t, int64_t dim) except +raise_python_error
    Tensor softmax(const Tensor& t, int64_t dim, OptDType dtype) except +raise_python_error
    Tensor log_softmax(const Tensor& t, int64_t dim) except +raise_python_error
    Tensor log_softmax(const Tensor& t, int64_t dim, OptDType dtype) except +raise_python_error
    pair[Tensor, Tensor] sort(const Tensor& t) except +raise_python_error
    pair[Tensor, Tensor] sort(const Tensor& t, int64_t dim) except +raise_python_error
    pair[Tensor, Tensor] sort(const Tensor& t, int64_t dim, bool descending) except +raise_python_error
    pair[Tensor, Tensor] sort(const Tensor& t, int64_t dim, bool descending, bool stable) except +raise_python_error
    pair[Tensor, Tensor] topk(const Tensor& t, int64_t k) except +raise_python_error
    pair[Tensor, Tensor] topk(const Tensor& t, int64_t k, int64_t dim) except +raise_python_error
    pair[Tensor, Tensor] topk(const Tensor& t, int64_t k, int64_t dim, bool largest) except +raise_python_error
    pair[Tensor, Tensor] topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) except +raise_python_error

    # ---- linear algebra (BLAS) ----
    Tensor matmul(const Tensor& a, const Tensor& b) except +raise_python_error
    Tensor mm(const Tensor& a, const Tensor& b) except +raise_python_error
    Tensor bmm(const Tensor& a, const Tensor& b) except +raise_python_error
    Tensor mv(const Tensor& a, const Tensor& v) except +raise_python_error
    Tensor dot(const Tensor& a, const Tensor& b) except +raise_python_error
    Tensor outer(const Tensor& a, const Tensor& b) except +raise_python_error
    Tensor linear(const Tensor& x, const Tensor& weight) except +raise_python_error
    Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) except +raise_python_error

    # ---- threads ----
    void set_num_threads(int n) except +raise_python_error
    int get_num_threads()

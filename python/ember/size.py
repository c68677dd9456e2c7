"""ember.Size: a tensor's shape, a tuple of ints as torch.Size."""


class Size(tuple):
    """The shape of a tensor, as torch.Size: a tuple of ints (it compares equal to the plain tuple)
    that prints as ``ember.Size([2, 3])``; ``numel()`` is the product of the sizes.

    Args:
        sizes (iterable of int, optional): the sizes. Default: () (a 0-d tensor's shape).

    Raises:
        TypeError: a size is not an int.

    Example::

        >>> s = ember.ones(2, 3).shape
        >>> s, s == (2, 3), s.numel()
        (ember.Size([2, 3]), True, 6)
        >>> ember.Size([4, 5])[1:]
        (5,)
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for d in sizes:
            if isinstance(d, bool) or not hasattr(d, "__index__"):
                raise TypeError(f"Size: expected ints, got {type(d).__name__}")
        return super().__new__(cls, (d.__index__() for d in sizes))

    def __repr__(self):
        return f"ember.Size({list(self)})"

    def numel(self):
        """Number of elements a tensor of this shape holds."""
        n = 1
        for d in self:
            n *= d
        return n

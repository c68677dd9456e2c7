"""ember.Size: a tensor's shape, a tuple of ints as torch.Size."""


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``ember.Size([2, 3])``."""

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

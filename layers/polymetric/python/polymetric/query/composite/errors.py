"""Expression errors: bad input, so they are ``InvalidInputError`` and answer 400 naming the parameter."""

from polymetric.errors import InvalidInputError


class ExpressionError(InvalidInputError):
    """A syntax or type error in a composite or tags_search expression, at a 1-based character position."""

    def __init__(self, message: str, position: int, param: str = "compose") -> None:
        self.message = message
        self.position = position
        super().__init__(params={param: [f"{message} at position {position}"]})

    def for_param(self, param: str) -> "ExpressionError":
        return ExpressionError(self.message, self.position, param)

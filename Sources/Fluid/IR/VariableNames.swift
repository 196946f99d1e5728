/// Names Paddle gives variables by convention: gradients and absent entries of a slot.

/// Suffix Paddle appends to a variable's name for its gradient.
let gradSuffix = "@GRAD"

/// The gradient variable name of `name` (`x` -> `x@GRAD`).
func gradName(_ name: String) -> String { name + gradSuffix }

/// The name Paddle gives an absent gradient in a duplicable slot.
let emptyVarName = "@EMPTY@"

/// Whether a slot entry names a variable (not empty, not `@EMPTY@`).
@inline(__always)
func isRealName(_ name: String) -> Bool { !name.isEmpty && name != emptyVarName }

extension Block {
    /// Appends `op` after inferring its outputs' dtypes and shapes from the variables declared
    /// so far, and declares (or updates) those outputs. Builders, autodiff and optimizers use
    /// this, so a program that builds is a program whose shapes fit.
    @discardableResult
    public func appendInferred(_ op: OpDesc) throws -> OpDesc {
        let results = try OpRegistry.inferShape(of: op) { [unowned self] name in
            findVar(name).map { TensorMeta($0.dtype, $0.shape) }
        }
        for (name, meta) in results {
            if hasLocalVar(name) {
                updateVar(name) { v in
                    v.dtype = meta.dtype
                    v.shape = meta.shape
                }
            } else if findVar(name) == nil {
                addVar(VarDesc(name: name, dtype: meta.dtype, shape: meta.shape))
            }
        }
        return appendOp(op)
    }
}

import Fluid

/// Turns a batch of samples into the feed tensors of a program: one tensor per name of the
/// feed list, of shape [batch] + the variable's shape without its batch dimension, checked
/// against the program's data variables (dtype, and shape with -1 for the batch).
///
/// The feeder writes into tensors it keeps and returns the same tensor objects on every
/// call (resized for a last, smaller batch), so feeding allocates nothing per step. Use the
/// tensors before the next call, or `clone()` them.
///
/// ```swift
/// let feeder = try DataFeeder(feeding: [img, label], program: main)
/// for batch in try MNIST.train().reader.batch(size: 64) {
///     let feed = try feeder.feed(batch)   // ["img": [64, 1, 28, 28] float32, "label": [64, 1] int64]
/// }
/// ```
public final class DataFeeder {
    /// The feed variables, in the order samples hold their fields.
    public let variables: [VarDesc]
    private let tensors: [Tensor]
    /// The layouts last checked, and the shapes they map to (without the batch dimension).
    private var checkedLayouts: [FieldLayout]?
    private var sampleShapes: [[Int]] = []
    /// The feed shapes of the last batch size, kept so a steady training loop allocates nothing here.
    private var batchShapes: (size: Int, shapes: [[Int]]) = (-1, [])
    /// The returned dictionary: always the same tensors under the same names.
    private let feeds: [String: Tensor]

    /// Looks up each name of `feedList` among the variables of `program`'s global block.
    /// Throws `DataError.unknownFeedVariable` for a name the program does not declare.
    public convenience init(feedList: [String], program: Program) throws {
        let variables = try feedList.map { name in
            guard let variable = program.globalBlock.findVar(name) else {
                throw DataError.unknownFeedVariable(name: name)
            }
            return variable
        }
        self.init(variables: variables)
    }

    /// Feeds the variables a `ProgramBuilder` returned (its `data` layers), in this order, as
    /// `program` declares them. Throws `DataError.unknownFeedVariable` for one it does not.
    public convenience init(feeding variables: [Variable], program: Program) throws {
        try self.init(feedList: variables.map(\.name), program: program)
    }

    /// Feeds the given variables, in this order.
    public init(variables: [VarDesc]) {
        self.variables = variables
        // Scalars, resized to each batch's shape by `feed`.
        self.tensors = variables.map { _ in Tensor() }
        self.feeds = Dictionary(zip(variables.map(\.name), tensors), uniquingKeysWith: { first, _ in first })
    }

    /// The feed tensors for `batch`, keyed by variable name.
    ///
    /// Throws `DataError` when the batch is empty, a sample has the wrong number of fields,
    /// or a field's dtype or shape does not fit its variable (the error names the variable).
    public func feed<Sample: FeedSample>(_ batch: [Sample]) throws -> [String: Tensor] {
        try feedSamples(batch)
    }

    /// The feed tensors for a batch of dataset samples (the same as the generic `feed`,
    /// compiled for `LabeledImage` so the training loop pays no generic dispatch per sample).
    public func feed(_ batch: [LabeledImage]) throws -> [String: Tensor] {
        try feedSamples(batch)
    }

    private func feedSamples<Sample: FeedSample>(_ batch: [Sample]) throws -> [String: Tensor] {
        guard let first = batch.first else { throw DataError.emptyBatch }
        let layouts = first.fieldLayouts
        if layouts != checkedLayouts {
            try check(layouts)
        }
        for position in batch.indices.dropFirst() {
            let sampleLayouts = batch[position].fieldLayouts
            if sampleLayouts != layouts {
                try checkSameKind(sampleLayouts, as: layouts, sample: position)
            }
        }
        let batchSize = batch.count
        if batchShapes.size != batchSize {
            batchShapes = (batchSize, sampleShapes.map { [batchSize] + $0 })
        }
        for (field, variable) in variables.enumerated() {
            if let declared = variable.shape.first, declared >= 0, declared != batchSize {
                throw DataError.feedMismatch(
                    variable: variable.name,
                    problem:
                        "the program declares batch size \(declared) (shape \(variable.shape)), but the batch holds \(batchSize) samples"
                )
            }
            let tensor = tensors[field]
            try tensor.resize(batchShapes.shapes[field], dtype: variable.dtype)
            let stride = layouts[field].byteCount
            let base = tensor.rawPointer
            for position in batch.indices {
                batch[position].copyField(field, to: base + position * stride)
            }
        }
        return feeds
    }

    /// Checks the first sample's layouts against the variables and records the feed shapes.
    private func check(_ layouts: [FieldLayout]) throws {
        guard layouts.count == variables.count else {
            throw DataError.feedFieldCount(expected: variables.count, found: layouts.count)
        }
        var shapes: [[Int]] = []
        for (variable, layout) in zip(variables, layouts) {
            guard layout.dtype == variable.dtype else {
                throw DataError.feedMismatch(
                    variable: variable.name,
                    problem: "the program declares \(variable.dtype), but the sample's field is \(layout.dtype)")
            }
            shapes.append(try Self.sampleShape(of: variable, for: layout))
        }
        checkedLayouts = layouts
        sampleShapes = shapes
        batchShapes = (-1, [])
    }

    /// The shape one sample takes in the feed tensor, following Paddle's DataFeeder: when the
    /// ranks agree the known dimensions must match; otherwise the field is reshaped to the
    /// variable's shape, which needs the same number of elements.
    static func sampleShape(of variable: VarDesc, for layout: FieldLayout) throws -> [Int] {
        let declared = Array(variable.shape.dropFirst())
        let expected = "[-1] + \(declared) (variable shape \(variable.shape))"
        guard !variable.shape.isEmpty else {
            throw DataError.feedMismatch(
                variable: variable.name, problem: "the program declares a scalar, which has no batch dimension to feed")
        }
        if declared.count == layout.shape.count {
            for (want, got) in zip(declared, layout.shape) where want >= 0 && want != got {
                throw DataError.feedMismatch(
                    variable: variable.name, problem: "a sample's field has shape \(layout.shape), expected \(expected)"
                )
            }
            return layout.shape
        }
        guard declared.allSatisfy({ $0 >= 0 }), declared.reduce(1, *) == layout.elementCount else {
            throw DataError.feedMismatch(
                variable: variable.name,
                problem:
                    "a sample's field has shape \(layout.shape) (\(layout.elementCount) elements), which does not reshape to \(expected)"
            )
        }
        return declared
    }

    /// A later sample of the batch must have the same dtypes and element counts as the first.
    private func checkSameKind(_ layouts: [FieldLayout], as reference: [FieldLayout], sample: Int) throws {
        guard layouts.count == reference.count else {
            throw DataError.feedFieldCount(expected: variables.count, found: layouts.count)
        }
        for (field, (layout, want)) in zip(layouts, reference).enumerated()
        where layout.dtype != want.dtype || layout.shape != want.shape {
            throw DataError.feedMismatch(
                variable: variables[field].name,
                problem: "sample \(sample) of the batch has a field of \(layout), unlike the first sample's \(want)")
        }
    }
}

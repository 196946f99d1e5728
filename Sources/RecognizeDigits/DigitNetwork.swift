import Fluid

/// The three networks of the "Recognize Digits" tutorial.
public enum DigitModel: String, CaseIterable, Sendable {
    /// One fully connected softmax layer.
    case softmax
    /// Two hidden layers of 200 ReLUs, then softmax.
    case mlp
    /// LeNet-style: conv 5x5x20 + relu + max-pool 2, batch_norm, conv 5x5x50 + relu + max-pool 2, fc softmax.
    case cnn
}

/// A tutorial network declared into its main and startup programs, as Paddle 3.3.1 builds it
/// (names, ops and the loss: `cross_entropy(use_softmax=False)` then a mean).
public struct DigitNetwork {
    public let model: DigitModel
    public let main: Program
    public let startup: Program
    public let image: Variable
    public let label: Variable
    public let prediction: Variable
    public let loss: Variable
    public let accuracy: Variable

    /// Declares `model` into fresh programs whose `random_seed` is `seed`. A `dropout` above 0
    /// puts a dropout op before every fully connected layer that follows another layer (none
    /// in softmax regression); the tutorial has none.
    public init(_ model: DigitModel, seed: Int, dropout: Float = 0) throws {
        let main = Program()
        let startup = Program()
        main.randomSeed = seed
        startup.randomSeed = seed
        let net = ProgramBuilder(main: main, startup: startup)
        let image = net.data("img", shape: [-1, 1, 28, 28], dtype: .float32)
        let label = net.data("label", shape: [-1, 1], dtype: .int64)
        let prediction: Variable
        func dropped(_ x: Variable) throws -> Variable {
            dropout > 0 ? try net.dropout(x, prob: dropout, implementation: .upscaleInTrain) : x
        }
        switch model {
        case .softmax:
            prediction = try net.fc(image, size: 10, act: .softmax)
        case .mlp:
            let h1 = try net.fc(image, size: 200, act: .relu)
            let h2 = try net.fc(try dropped(h1), size: 200, act: .relu)
            prediction = try net.fc(try dropped(h2), size: 10, act: .softmax)
        case .cnn:
            var x = try net.conv2d(image, filters: 20, size: 5, act: .relu)
            x = try net.pool2d(x, size: 2, stride: 2, type: .max)
            x = try net.batchNorm(x)
            x = try net.conv2d(x, filters: 50, size: 5, act: .relu)
            x = try net.pool2d(x, size: 2, stride: 2, type: .max)
            prediction = try net.fc(try dropped(x), size: 10, act: .softmax)
        }
        let cost = try net.softmaxWithCrossEntropy(prediction, label, useSoftmax: false)
        self.model = model
        self.main = main
        self.startup = startup
        self.image = image
        self.label = label
        self.prediction = prediction
        self.loss = try net.reduceMean(cost)
        self.accuracy = try net.accuracy(prediction, label)
    }
}

import FluidData

/// The real datasets, loaded once for all tests. They come from the cache `Tools/fetch-mnist`
/// fills and from Debian's dataset-fashion-mnist package; a test that needs a missing one fails
/// with the loader's message, which names the command that installs it.
enum RealData {
    static let mnistTrain = Result { try MNIST.train() }
    static let mnistTest = Result { try MNIST.test() }
    static let fashionTrain = Result { try FashionMNIST.train() }
    static let fashionTest = Result { try FashionMNIST.test() }
}

/// Activation applied after a layer.
public enum Activation: String, Sendable {
    case relu, sigmoid, tanh, softmax
}

import Synchronization

/// The largest inputs SwiftFluid's loaders accept: one policy for every file a user hands in.
///
/// A file's header states how much memory it needs (a tensor's dims, an image's width and
/// height, an IDX file's dimensions, a PNG chunk's length). Every loader checks that claim
/// against what the file can actually hold and against these limits *before* allocating for it,
/// so a 40-byte file cannot make the process reserve gigabytes. An input above a limit is
/// refused with an error that names the file, the limit and how to raise it.
///
/// | limit | default | checked by |
/// |---|---|---|
/// | `maxTensorElements` | 2^30 (1,073,741,824) | tensor streams (parameter files, combined `.pdiparams`) |
/// | `maxTensorBytes` | 2 GiB | tensor streams |
/// | `maxImageSide` | 16,384 | PNG decoding, from the IHDR chunk |
/// | `maxImagePixels` | 64 Mi (16,384^2 / 4) | PNG decoding, width x height |
/// | `maxImageBytes` | 256 MiB | PNG decoding, width x height x channels after expansion |
/// | `maxImageFileBytes` | 512 MiB | PNG files, before they are read |
/// | `maxPNGChunkBytes` | 8 MiB | each PNG chunk other than IDAT, and decompressed zTXt/iTXt/iCCP text |
/// | `maxIDXBytes` | 1 GiB | IDX element data (after gzip decompression) |
/// | `maxModelBytes` | 256 MiB | ProgramDesc files (`__model__`, `.pdmodel`) |
/// | `maxParameterFileBytes` | 4 GiB | parameter files, before they are read |
///
/// The limits are process-wide and may be changed at any time from any thread; a load reads each
/// limit once, when it checks it. Raise one to load a file you trust:
///
/// ```swift
/// FluidLimits.maxTensorBytes = 6 << 30       // a 6 GiB embedding table
/// FluidLimits.maxIDXBytes = 4 << 30
/// let model = try loadInferenceModel(from: "big.model")
/// ```
///
/// Specs/formats.md ("Limits") lists the same values.
public enum FluidLimits {
    /// Names a limit, for errors and for reading or setting it by name.
    public enum Limit: Int, Sendable, CaseIterable, CustomStringConvertible {
        case maxTensorElements, maxTensorBytes
        case maxImageSide, maxImagePixels, maxImageBytes, maxImageFileBytes, maxPNGChunkBytes
        case maxIDXBytes
        case maxModelBytes, maxParameterFileBytes

        /// The value a process starts with.
        public var defaultValue: Int {
            switch self {
            case .maxTensorElements: 1 << 30
            case .maxTensorBytes: 2 << 30
            case .maxImageSide: 16384
            case .maxImagePixels: 16384 * 16384 / 4
            case .maxImageBytes: 256 << 20
            case .maxImageFileBytes: 512 << 20
            case .maxPNGChunkBytes: 8 << 20
            case .maxIDXBytes: 1 << 30
            case .maxModelBytes: 256 << 20
            case .maxParameterFileBytes: 4 << 30
            }
        }

        /// True for limits counted in bytes (the others count elements, pixels or a side).
        public var isBytes: Bool {
            switch self {
            case .maxTensorElements, .maxImageSide, .maxImagePixels: false
            default: true
            }
        }

        /// The Swift name, as in `FluidLimits.maxTensorBytes`.
        public var description: String {
            switch self {
            case .maxTensorElements: "maxTensorElements"
            case .maxTensorBytes: "maxTensorBytes"
            case .maxImageSide: "maxImageSide"
            case .maxImagePixels: "maxImagePixels"
            case .maxImageBytes: "maxImageBytes"
            case .maxImageFileBytes: "maxImageFileBytes"
            case .maxPNGChunkBytes: "maxPNGChunkBytes"
            case .maxIDXBytes: "maxIDXBytes"
            case .maxModelBytes: "maxModelBytes"
            case .maxParameterFileBytes: "maxParameterFileBytes"
            }
        }
    }

    /// One atomic per limit, in `Limit` order: loaders on any thread read them while a user may set them.
    private final class Cell: Sendable {
        let value: Atomic<Int>
        init(_ value: Int) { self.value = Atomic(value) }
    }

    private static let cells: [Cell] = Limit.allCases.map { Cell($0.defaultValue) }

    /// The current value of `limit`.
    public static func value(of limit: Limit) -> Int {
        cells[limit.rawValue].value.load(ordering: .relaxed)
    }

    /// Sets `limit` for the whole process; negative values count as 0 (refuse everything).
    public static func set(_ limit: Limit, to value: Int) {
        cells[limit.rawValue].value.store(max(0, value), ordering: .relaxed)
    }

    /// Puts every limit back to its default.
    public static func reset() {
        for limit in Limit.allCases { set(limit, to: limit.defaultValue) }
    }

    /// Largest element count of one tensor read from a file.
    public static var maxTensorElements: Int {
        get { value(of: .maxTensorElements) }
        set { set(.maxTensorElements, to: newValue) }
    }
    /// Largest byte size of one tensor read from a file.
    public static var maxTensorBytes: Int {
        get { value(of: .maxTensorBytes) }
        set { set(.maxTensorBytes, to: newValue) }
    }
    /// Largest width or height of a decoded image.
    public static var maxImageSide: Int {
        get { value(of: .maxImageSide) }
        set { set(.maxImageSide, to: newValue) }
    }
    /// Largest width x height of a decoded image.
    public static var maxImagePixels: Int {
        get { value(of: .maxImagePixels) }
        set { set(.maxImagePixels, to: newValue) }
    }
    /// Largest decoded image in bytes (width x height x channels of 8-bit samples).
    public static var maxImageBytes: Int {
        get { value(of: .maxImageBytes) }
        set { set(.maxImageBytes, to: newValue) }
    }
    /// Largest image file read into memory.
    public static var maxImageFileBytes: Int {
        get { value(of: .maxImageFileBytes) }
        set { set(.maxImageFileBytes, to: newValue) }
    }
    /// Largest PNG chunk other than IDAT (text, palettes, profiles), and largest decompressed text.
    public static var maxPNGChunkBytes: Int {
        get { value(of: .maxPNGChunkBytes) }
        set { set(.maxPNGChunkBytes, to: newValue) }
    }
    /// Largest element data of an IDX file, after decompression.
    public static var maxIDXBytes: Int {
        get { value(of: .maxIDXBytes) }
        set { set(.maxIDXBytes, to: newValue) }
    }
    /// Largest ProgramDesc file.
    public static var maxModelBytes: Int {
        get { value(of: .maxModelBytes) }
        set { set(.maxModelBytes, to: newValue) }
    }
    /// Largest parameter file (one tensor stream, or a combined `.pdiparams`).
    public static var maxParameterFileBytes: Int {
        get { value(of: .maxParameterFileBytes) }
        set { set(.maxParameterFileBytes, to: newValue) }
    }

    /// "FluidLimits.maxTensorBytes (2 GiB); raise it with `FluidLimits.maxTensorBytes = ...`
    /// to load a file you trust": the tail of every error that refuses an input for a limit.
    public static func refusal(_ limit: Limit, value: Int? = nil) -> String {
        let current = value ?? Self.value(of: limit)
        let example = limit.isBytes ? "<bytes>" : "<count>"
        return
            "FluidLimits.\(limit) (\(formatted(current, bytes: limit.isBytes))); raise it with `FluidLimits.\(limit) = \(example)` to load a file you trust"
    }

    /// 2 GiB, 8 MiB, 1000 bytes; counts as plain numbers.
    public static func formatted(_ value: Int, bytes: Bool) -> String {
        guard bytes else { return "\(value)" }
        for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)]
        where value >= 1 << shift && value % (1 << shift) == 0 {
            return "\(value >> shift) \(unit)"
        }
        return "\(value) bytes"
    }
}

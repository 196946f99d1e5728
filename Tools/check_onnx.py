"""The Python half of Tools/check-onnx (run with the venv's python, which has numpy, onnx and onnxruntime).

check_onnx.py images SOURCE DEST COUNT
    Writes the first COUNT images of the IDX image file SOURCE (gzip or plain) to DEST as a plain IDX
    file, so that `fluid run` and ONNX Runtime see exactly the same images.
check_onnx.py verify LABEL MODEL.onnx IMAGES REF.f32 [OPSET]
    onnx.checker (full check) on MODEL.onnx, ONNX Runtime on IMAGES in batches of 64 and in one batch,
    comparison of the first output with REF.f32 (fluid's raw little-endian float32 output), one
    summary line. OPSET, when not empty, is the opset the file must declare.
"""

import gzip
import sys

import numpy as np

TOLERANCE = 1e-5
BATCH = 64
IDX_IMAGES_MAGIC = 0x00000803


class Failure(Exception):
    pass


def read_idx_images(path):
    """Returns the images of an IDX file as a uint8 array [count, rows, columns]."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 16:
        raise Failure(f"{path} is too short for an IDX header")
    magic, count, rows, columns = (int.from_bytes(data[i:i + 4], "big") for i in range(0, 16, 4))
    if magic != IDX_IMAGES_MAGIC:
        raise Failure(f"{path} has IDX magic {magic:#010x}, expected {IDX_IMAGES_MAGIC:#010x} (unsigned byte images)")
    if len(data) < 16 + count * rows * columns:
        raise Failure(f"{path} is truncated: {count} images of {rows}x{columns} need {16 + count * rows * columns} bytes")
    return np.frombuffer(data, np.uint8, count * rows * columns, 16).reshape(count, rows, columns)


def write_first_images(source, dest, count):
    images = read_idx_images(source)
    if len(images) < count:
        raise Failure(f"{source} holds {len(images)} images, fewer than {count}")
    header = b"".join(n.to_bytes(4, "big") for n in (IDX_IMAGES_MAGIC, count, *images.shape[1:]))
    with open(dest, "wb") as f:
        f.write(header + images[:count].tobytes())


def verify(label, model_path, images_path, ref_path, expected_opset):
    import onnx
    import onnxruntime as ort

    try:
        onnx.checker.check_model(model_path, full_check=True)
        opsets = {o.domain: o.version for o in onnx.load(model_path, load_external_data=False).opset_import}
    except Exception as error:  # checker, shape inference and protobuf errors have no common base
        raise Failure(f"onnx.checker failed: {type(error).__name__}: {error}")
    opset = opsets.get("", opsets.get("ai.onnx"))
    if opset is None:
        raise Failure(f"the model imports no default-domain opset (it imports {opsets})")
    if expected_opset and opset != int(expected_opset):
        raise Failure(f"the model declares opset {opset}, but {expected_opset} was asked for")

    # The tutorial's preprocessing, as fluid run does it.
    images = read_idx_images(images_path)
    x = (images.astype(np.float32) / np.float32(255) * np.float32(2) - np.float32(1))[:, None, :, :]
    count = len(x)
    try:
        session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    except Exception as error:
        raise Failure(f"onnxruntime cannot load the model: {error}")
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise Failure(f"the model has {len(inputs)} graph inputs {[i.name for i in inputs]}, expected exactly one")
    if inputs[0].type != "tensor(float)":
        raise Failure(f"the graph input {inputs[0].name} is {inputs[0].type}, expected tensor(float)")
    output_name = session.get_outputs()[0].name

    def run(batch):
        try:
            (y,) = session.run([output_name], {inputs[0].name: batch})
        except Exception as error:
            raise Failure(f"onnxruntime failed on a batch of {len(batch)} (input {inputs[0].name}, shape {inputs[0].shape}): {error}")
        if y.ndim < 1 or y.shape[0] != len(batch):
            raise Failure(f"output {output_name} has shape {list(y.shape)} for a batch of {len(batch)}")
        return y.reshape(len(batch), -1)

    batched = np.concatenate([run(x[i:i + BATCH]) for i in range(0, count, BATCH)])
    whole = run(x)  # the batch dimension must be symbolic, not fixed to 64

    ref = np.fromfile(ref_path, dtype="<f4")
    if ref.size == 0 or ref.size % count:
        raise Failure(f"fluid run wrote {ref.size} floats, not a multiple of {count} images")
    ref = ref.reshape(count, -1)
    if ref.shape != batched.shape:
        raise Failure(f"output {output_name} has {batched.shape[1]} values per image, fluid's first fetch has {ref.shape[1]}")
    diff = max(np.abs(y.astype(np.float64) - ref).max() for y in (batched, whole))
    agree = int((batched.argmax(1) == ref.argmax(1)).sum())
    if not diff <= TOLERANCE:  # also catches NaN
        raise Failure(f"onnxruntime on {count} images: max |onnx - fluid| = {diff:.3g} exceeds {TOLERANCE:g} "
                      f"(output {output_name}), argmax agree {agree}/{count}")
    print(f"check-onnx: {label}: onnx.checker ok (opset {opset}), onnxruntime {ort.__version__} on {count} images: "
          f"max |onnx - fluid| = {diff:.2g}, argmax agree {agree}/{count}", flush=True)


def main(argv):
    try:
        if len(argv) == 4 and argv[0] == "images":
            write_first_images(argv[1], argv[2], int(argv[3]))
        elif len(argv) in (5, 6) and argv[0] == "verify":
            label = argv[1]
            try:
                verify(*argv[1:])
            except Failure as failure:
                raise Failure(f"{label}: {failure}")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (Failure, OSError) as error:
        print(f"check-onnx: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

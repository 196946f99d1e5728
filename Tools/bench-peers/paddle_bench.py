#!/usr/bin/env python3
"""The tutorial in PaddlePaddle itself (CPU, 2 threads), for Tools/bench.

Usage: paddle_bench.py train softmax|mlp|cnn [--steps N] [--data-dir DIR]
       paddle_bench.py infer MODEL_DIR --batch N [--calls K] [--warmup W] [--onednn]

train: the Fluid-style static graph of the tutorial (legacy ProgramDesc, FLAGS_enable_pir_api=0):
the same layers, cross_entropy(use_softmax=False) then mean, accuracy, Adam 1e-3, run by a
static Executor on the real MNIST training images preloaded as DenseTensors, fetching the loss
every step as the tutorial does; times N steps (default 938) after the warm-up steps.
infer: paddle.inference's predictor on a model saved by SwiftFluid (directory layout: __model__
and one file per parameter), IR optimisation on, 2 math threads, with or without oneDNN, on
seeded random input copied in and the output copied out every call. Prints one JSON line.
"""
import os
import time

os.environ.setdefault("FLAGS_enable_pir_api", "0")
os.environ.setdefault("FLAGS_paddle_num_threads", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("GLOG_minloglevel", "2")  # keep the executor's info lines out of the output

import paddle  # noqa: E402 (the flags above are read when paddle loads)

import peer_common as common  # noqa: E402


def build(model):
    """The tutorial's main and startup programs, seed 90, with Adam's ops appended."""
    main, startup = paddle.static.Program(), paddle.static.Program()
    main.random_seed = startup.random_seed = common.SEED
    with paddle.static.program_guard(main, startup):
        image = paddle.static.data("img", [-1, 1, 28, 28], "float32")
        label = paddle.static.data("label", [-1, 1], "int64")
        fc = paddle.static.nn.fc
        if model == "softmax":
            prediction = fc(image, 10, activation="softmax")
        elif model == "mlp":
            hidden = fc(fc(image, 200, activation="relu"), 200, activation="relu")
            prediction = fc(hidden, 10, activation="softmax")
        else:
            pool = paddle.nn.functional.max_pool2d
            x = pool(paddle.static.nn.conv2d(image, 20, 5, act="relu"), 2, 2)
            x = paddle.static.nn.batch_norm(x)
            x = pool(paddle.static.nn.conv2d(x, 50, 5, act="relu"), 2, 2)
            prediction = fc(x, 10, activation="softmax")
        cost = paddle.nn.functional.cross_entropy(prediction, label, reduction="none", use_softmax=False)
        loss = paddle.mean(cost)
        paddle.static.accuracy(prediction, label)
        paddle.optimizer.Adam(learning_rate=common.LEARNING_RATE).minimize(loss)
    return main, startup, loss


def dense_tensor(array, place):
    """A numpy array as a tensor Paddle's executor takes without converting it each step."""
    tensor = paddle.base.core.LoDTensor()  # DenseTensor under its legacy name, in Paddle 2.x and 3.x
    tensor.set(array, place)
    return tensor


def train(arguments):
    paddle.enable_static()
    place = paddle.CPUPlace()
    main, startup, loss = build(arguments.model)
    executor = paddle.static.Executor(place)
    executor.run(startup)
    loaded = common.training_batches(arguments.data_dir)
    warmup = common.warmup_batches(arguments.steps, loaded)
    batches = [{"img": dense_tensor(images, place), "label": dense_tensor(labels, place)}
               for images, labels in loaded]
    for index in warmup:
        executor.run(main, feed=batches[index], fetch_list=[loss])
    start = time.perf_counter()
    for index in range(arguments.steps):
        (value,) = executor.run(main, feed=batches[index % len(batches)], fetch_list=[loss])
    seconds = time.perf_counter() - start
    common.train_report("paddlepaddle", paddle.__version__, arguments.model, arguments.steps, len(warmup), seconds,
                        float(value))


def infer(arguments):
    from paddle import inference

    config = inference.Config(arguments.model_dir)
    config.disable_gpu()
    config.disable_glog_info()
    config.set_cpu_math_library_num_threads(common.THREADS)
    config.switch_ir_optim(True)
    if arguments.onednn:
        config.enable_mkldnn()
    else:
        config.disable_mkldnn()
    if hasattr(config, "enable_new_ir"):
        config.enable_new_ir(False)  # the model is a legacy ProgramDesc, as Fluid writes it
    predictor = inference.create_predictor(config)
    source = predictor.get_input_handle(predictor.get_input_names()[0])
    target = predictor.get_output_handle(predictor.get_output_names()[0])
    images = common.random_images(arguments.batch)

    def call():
        source.copy_from_cpu(images)
        predictor.run()
        return target.copy_to_cpu()

    times = common.time_calls(call, arguments.calls, arguments.warmup)
    common.infer_report("paddle-predictor", paddle.__version__, arguments.model_dir, arguments.batch, times,
                        arguments.warmup, onednn=arguments.onednn)


def main():
    arguments = common.parse_arguments(__doc__.splitlines()[0], infer_takes_model_dir=True,
                                       infer_flags=[("--onednn", "run the predictor with oneDNN (MKL-DNN) kernels")])
    train(arguments) if arguments.mode == "train" else infer(arguments)


if __name__ == "__main__":
    main()

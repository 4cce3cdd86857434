// NN: a small reverse-mode autograd engine with layers, losses, optimizers and a trainer.
//
// The module sits on TensorCore (`Tensor`, `RandomGenerator`) and OpenBLAS's sgemm. Layers run
// fused kernels (`Layers/`): the minibatch or the output is split across worker threads
// (`Parallel.swift`), each calling single-threaded sgemm on its block (`BLAS.swift`).
// Conventions follow Keras so that Keras models load exactly: NHWC activations, Dense kernels
// `[in, out]`, Conv2D kernels HWIO, depthwise kernels `[kh, kw, in, multiplier]`.
import TensorCore

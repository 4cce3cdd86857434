import Foundation
import ModelIO
import NN

/// Writes the logits of every example of `data`, in its order, to `path` as raw little-endian
/// float32 (`outputs` floats per example; a final softmax left out, as ``Model/logits(_:training:)``
/// does): what `compress eval --logits` gives to compare another runtime's outputs with.
public func writeModelLogits(_ model: Model, on data: Dataset, batchSize: Int, to path: String) throws {
    var floats: [Float] = []
    floats.reserveCapacity(data.count * model.outputShape.reduce(1, *))
    for batch in Minibatches(data, batchSize: batchSize, seed: nil) {
        let logits = withoutGradients { model.logits(Variable(batch.inputs), training: false).value }
        floats += logits.scalars
    }
    let bytes = floats.withUnsafeBufferPointer { Data(buffer: $0) }
    try writeAtomically(to: path) { try bytes.write(to: URL(fileURLWithPath: $0)) }
}

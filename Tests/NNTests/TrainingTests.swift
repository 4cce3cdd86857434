import Testing
import TensorCore
@testable import NN

/// Gaussian blobs: `classes` centres in `dimensions`-D, unit noise.
func blobs(count: Int, classes: Int, dimensions: Int, seed: UInt64) -> (Tensor, [Int32]) {
    var centreGenerator = RandomGenerator(seed: 1234)
    let centres = centreGenerator.uniform(shape: [classes, dimensions], low: -2, high: 2)
    var rng = RandomGenerator(seed: seed)
    var values: [Float] = []
    var labels: [Int32] = []
    for _ in 0..<count {
        let label = rng.nextInt(below: classes)
        labels.append(Int32(label))
        for d in 0..<dimensions { values.append(centres.scalars[label * dimensions + d] + 0.8 * rng.nextNormal()) }
    }
    return (Tensor(shape: [count, dimensions], scalars: values), labels)
}

/// 8x8 images with a horizontal (label 0) or vertical (label 1) bar, plus noise.
func bars(count: Int, seed: UInt64) -> (Tensor, [Int32]) {
    var rng = RandomGenerator(seed: seed)
    var values = [Float](repeating: 0, count: count * 64)
    var labels: [Int32] = []
    for n in 0..<count {
        let label = rng.nextInt(below: 2)
        labels.append(Int32(label))
        let position = rng.nextInt(below: 8)
        for i in 0..<64 { values[n * 64 + i] = 0.3 * rng.nextNormal() }
        for t in 0..<8 {
            let (r, c) = label == 0 ? (position, t) : (t, position)
            values[n * 64 + r * 8 + c] += 1
        }
    }
    return (Tensor(shape: [count, 8, 8, 1], scalars: values), labels)
}

@Suite("Training")
struct TrainingTests {
    @Test func batchSourceShufflesDeterministically() {
        let x = Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init))
        let labels = (0..<10).map(Int32.init)
        let source = InMemoryBatchSource(inputs: x, labels: labels, batchSize: 4, shuffleSeed: 5)
        let epoch0 = source.batches(epoch: 0), again = source.batches(epoch: 0), epoch1 = source.batches(epoch: 1)
        #expect(epoch0.map(\.count) == [4, 4, 2])
        #expect(epoch0.flatMap(\.labels).sorted() == labels)
        #expect(epoch0.map(\.labels) == again.map(\.labels))
        #expect(epoch0.map(\.labels) != epoch1.map(\.labels))
        // Inputs follow their labels.
        for batch in epoch0 {
            for (row, label) in batch.labels.enumerated() { #expect(batch.inputs[row, 1] == Float(label * 2 + 1)) }
        }
        let dropping = InMemoryBatchSource(inputs: x, labels: labels, batchSize: 4, dropsLast: true)
        #expect(dropping.batches(epoch: 0).map(\.count) == [4, 4])
    }

    @Test func mlpLearnsBlobs() throws {
        let (x, y) = blobs(count: 2000, classes: 4, dimensions: 16, seed: 1)
        let (testX, testY) = blobs(count: 500, classes: 4, dimensions: 16, seed: 2)
        let model = try Architecture(parsing: """
            input 16
            dense h units=32 activation=relu
            dense out units=4 activation=softmax
            """).build(seed: 3)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.05, momentum: 0.9))
        let source = InMemoryBatchSource(inputs: x, labels: y, batchSize: 32, shuffleSeed: 4)
        let before = trainer.evaluate(InMemoryBatchSource(inputs: testX, labels: testY, batchSize: 100).batches(epoch: 0))
        var first = 0.0, last = 0.0
        for epoch in 0..<5 {
            let result = trainer.trainEpoch(source.batches(epoch: epoch))
            if epoch == 0 { first = result.meanLoss }
            last = result.meanLoss
        }
        let after = trainer.evaluate(InMemoryBatchSource(inputs: testX, labels: testY, batchSize: 100).batches(epoch: 0))
        #expect(last < first)
        #expect(after.meanLoss < before.meanLoss)
        #expect(after.top1Accuracy > 0.95, "\(after)")
        #expect(after.top5Accuracy == 1)
        #expect(trainer.step == 5 * 63)
    }

    @Test func convNetLearnsBars() throws {
        let (x, y) = bars(count: 1024, seed: 5)
        let (testX, testY) = bars(count: 256, seed: 6)
        let model = try Architecture(parsing: """
            input 8x8x1
            conv2d c1 filters=4 kernel=3 padding=same activation=relu
            maxpool2d p1 size=2
            flatten
            dense out units=2
            """).build(seed: 7)
        let trainer = Trainer(model: model, optimizer: Adam(learningRate: 0.01))
        let source = InMemoryBatchSource(inputs: x, labels: y, batchSize: 32, shuffleSeed: 8)
        for epoch in 0..<4 { trainer.trainEpoch(source.batches(epoch: epoch)) }
        let result = trainer.evaluate(InMemoryBatchSource(inputs: testX, labels: testY, batchSize: 64).batches(epoch: 0))
        #expect(result.top1Accuracy > 0.95, "\(result)")
    }

    @Test func meanSquaredErrorTraining() throws {
        let (x, y) = blobs(count: 512, classes: 3, dimensions: 8, seed: 9)
        let model = try Architecture(parsing: "input 8\ndense out units=3 activation=sigmoid").build(seed: 1)
        let trainer = Trainer(model: model, optimizer: RMSProp(learningRate: 0.01), loss: .meanSquaredError)
        let source = InMemoryBatchSource(inputs: x, labels: y, batchSize: 32, shuffleSeed: 1)
        let first = trainer.trainEpoch(source.batches(epoch: 0))
        var last = first
        for epoch in 1..<5 { last = trainer.trainEpoch(source.batches(epoch: epoch)) }
        #expect(last.meanLoss < first.meanLoss)
        #expect(last.top1Accuracy > 0.85, "\(last)")
    }

    @Test func sameSeedSameWeightsAfterTraining() throws {
        func run() throws -> [String: Tensor] {
            let (x, y) = bars(count: 128, seed: 10)
            let architecture = try Architecture(parsing: """
                input 8x8x1
                conv2d c1 filters=3 kernel=3 padding=same activation=relu
                batchnorm bn
                maxpool2d p1 size=2
                flatten
                dropout d rate=0.3
                dense out units=2 activation=softmax
                """)
            let model = try architecture.build(seed: 11)
            let optimizer = AdamW(schedule: linearWarmup(steps: 2, then: cosineDecay(initial: 0.01, steps: 20)))
            let trainer = Trainer(model: model, optimizer: optimizer)
            let source = InMemoryBatchSource(inputs: x, labels: y, batchSize: 16, shuffleSeed: 12)
            for epoch in 0..<2 { trainer.trainEpoch(source.batches(epoch: epoch)) }
            return model.weights
        }
        let a = try run(), b = try run()
        #expect(a == b)
        #expect(a["bn.moving_mean"]! != Tensor(zeros: [3]))
    }

    @Test func afterStepHookRuns() throws {
        let model = try Architecture(parsing: "input 2\ndense out units=2").build(seed: 1)
        let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0.1))
        var calls = 0
        trainer.afterStep = { _ in calls += 1 }
        let batch = Batch(inputs: Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]), labels: [0, 1])
        trainer.trainStep(batch)
        trainer.trainStep(batch)
        #expect(calls == 2)
    }
}

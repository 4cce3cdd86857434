import Compression
import Dispatch
import Foundation
import ModelIO
import NN

/// What a pruning run reports while it goes.
public enum PruningEvent: Sendable {
    /// A stage finished (pruned, retrained): kept fraction and test error at that point.
    case stage(PruningReport.Stage)
    /// Progress of a training run inside the stage `stage` of `epochs` epochs.
    case training(stage: String, epochs: Int, TrainingEvent)
}

/// Prunes the model in `input` as `settings` ask, retraining on `train` when they say so, and
/// saves the result (masks in the compression metadata group) as a Keras `.h5` at `output`.
///
/// The input is never overwritten; the output is written atomically.
public func runPruning(input: String, output: String, settings: PruningSettings, train: Dataset?, test: Dataset?,
                       onEvent: (PruningEvent) -> Void = { _ in }) throws -> PruningReport {
    try RunFiles.checkOutput(output, protecting: [input])
    let model = try loadModel(path: input)
    var report = try pruneModel(model, settings: settings, train: train, test: test, onEvent: onEvent)
    try saveKerasModel(model, to: output, protecting: [input])
    report.model = input
    report.output = output
    return report
}

/// Prunes `model` in place as `settings` ask and reports what it did.
///
/// - magnitude: prunes in ``PruningSettings/rounds`` rounds towards the target (the kept
///   fraction shrinking geometrically), retraining between rounds when
///   ``PruningSettings/retrain`` is set, with cut weights held at zero.
/// - agp: trains while the sparsity rises on the cubic AGP curve, reaching the target after
///   ``PruningSettings/agpEndFraction`` of the steps.
/// - dns: trains with Dynamic Network Surgery, then makes the masks final.
///
/// Masks the model already has are respected: a cut weight only comes back under DNS.
/// With `test` data the run evaluates before and after every stage.
public func pruneModel(_ model: Model, settings: PruningSettings, train: Dataset?, test: Dataset?,
                       onEvent: (PruningEvent) -> Void = { _ in }) throws -> PruningReport {
    let start = DispatchTime.now().uptimeNanoseconds
    try settings.validate()
    if settings.trains {
        guard let train else { throw CompressionError("\(settings.method.rawValue) pruning with training needs training data") }
        try checkModelFitsData(model, train)
    }
    if let test { try checkModelFitsData(model, test) }
    let layers = try settings.chosenLayers(in: model)
    let training = settings.effectiveTraining
    var stages: [PruningReport.Stage] = []
    var thresholds = [Float?](repeating: nil, count: layers.count)
    var spliceThresholds = [Float?](repeating: nil, count: layers.count)
    var epochsRun = 0

    func currentTestError() -> Double? { test.map { evaluateModel(model, on: $0).top1Error } }
    func record(_ name: String, testError: Double?) {
        let stage = PruningReport.Stage(name: name, keptPercent: keptPercent(layers), testError: testError)
        stages.append(stage)
        onEvent(.stage(stage))
    }
    // `afterStep` gets the number of optimizer steps taken. `trainModel` reports each step right
    // after the optimizer update, which is where a `Trainer.afterStep` hook would run.
    func trainStage(_ name: String, settings: TrainingSettings, afterStep: ((Int) -> Void)? = nil) throws {
        let result = try trainModel(model, train: train!, test: test, settings: settings) { event in
            if case let .step(epoch, step, stepsPerEpoch, _, _, _) = event { afterStep?(epoch * stepsPerEpoch + step) }
            onEvent(.training(stage: name, epochs: settings.epochs, event))
        }
        epochsRun += settings.epochs
        record(name, testError: result.finalTest?.top1Error)
    }
    func keepThresholds(_ new: [Float]) {
        for (index, threshold) in new.enumerated() where threshold > 0 { thresholds[index] = threshold }
    }

    record("start", testError: currentTestError())
    let testErrorBefore = stages[0].testError
    switch settings.method {
    case .magnitude:
        let pruning = try MagnitudePruning(layers: layers, criterion: settings.magnitudeCriterion)
        let rounds = settings.rounds
        for round in 1...rounds {
            let label = rounds > 1 ? "round \(round)/\(rounds): " : ""
            keepThresholds(pruning.prune(progress: Double(round) / Double(rounds)))
            record(label + "pruned", testError: currentTestError())
            if settings.retrain {
                var roundTraining = training
                // The epochs split evenly, the later rounds taking the remainder.
                roundTraining.epochs = training.epochs / rounds + (round > rounds - training.epochs % rounds ? 1 : 0)
                roundTraining.seed = training.seed &+ UInt64(round - 1)
                try trainStage(label + "retrained", settings: roundTraining)
            }
        }
    case .agp:
        let pruning = try MagnitudePruning(layers: layers, criterion: settings.magnitudeCriterion)
        let totalSteps = stepsPerEpoch(train!, training) * training.epochs
        let endStep = Int(settings.agpEndFraction * Double(totalSteps))
        guard endStep / settings.agpFrequency >= 1 else {
            throw CompressionError("AGP: \(totalSteps) training steps are too few to prune every \(settings.agpFrequency) steps; lower the frequency or train longer")
        }
        let schedule = try GradualSchedule(startStep: 0, frequency: settings.agpFrequency, pruningSteps: endStep / settings.agpFrequency)
        let gradual = try GradualPruning(pruning: pruning, schedule: schedule)
        try trainStage("gradually pruned and trained", settings: training, afterStep: gradual.afterStep)
        keepThresholds(gradual.thresholds)
    case .dns:
        let rates = try settings.cRate!.values(for: layers.map(\.name))
        let totalSteps = stepsPerEpoch(train!, training) * training.epochs
        let stop = settings.iterationStop ?? Int(PruningSettings.dnsStopFraction * Double(totalSteps))
        let surgery = try DynamicSurgery(layers: layers, cRates: layers.map { rates[$0.name]! }, gamma: settings.gamma,
                                         power: settings.power, iterationStop: stop, seed: training.seed)
        record("surgery started", testError: currentTestError())
        try trainStage("surgery", settings: training, afterStep: surgery.afterStep)
        surgery.finish()
        thresholds = surgery.cutThresholds
        spliceThresholds = surgery.spliceThresholds
    }

    let rows = zip(layers.indices, layers).map { index, layer in
        let nonZeros = layer.nonZeroCount
        return PruningReport.Layer(layer: layer.name, parameters: layer.count, nonZeros: nonZeros,
                                   keptPercent: PruningReport.percent(nonZeros, of: layer.count),
                                   threshold: thresholds[index], spliceThreshold: spliceThresholds[index])
    }
    let modelNonZeros = model.parameters.reduce(0) { total, parameter in
        total + parameter.effectiveValue.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    }
    let prunedParameters = rows.reduce(0) { $0 + $1.parameters }, prunedNonZeros = rows.reduce(0) { $0 + $1.nonZeros }
    return PruningReport(
        model: nil, output: nil, method: settings.method, layers: rows,
        prunedParameters: prunedParameters, prunedNonZeros: prunedNonZeros,
        prunedKeptPercent: PruningReport.percent(prunedNonZeros, of: prunedParameters),
        modelParameters: model.parameterCount, modelNonZeros: modelNonZeros,
        modelKeptPercent: PruningReport.percent(modelNonZeros, of: model.parameterCount),
        testErrorBefore: testErrorBefore, testErrorAfter: stages.last?.testError, epochs: epochsRun, stages: stages,
        seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

private func keptPercent(_ layers: [PrunableLayer]) -> Double {
    PruningReport.percent(layers.reduce(0) { $0 + $1.nonZeroCount }, of: layers.reduce(0) { $0 + $1.count })
}

private func stepsPerEpoch(_ data: Dataset, _ settings: TrainingSettings) -> Int {
    (data.count + settings.batchSize - 1) / settings.batchSize
}

import Compression
import Foundation
import ModelIO

/// A recipe stage with every default filled in: the settings the pass's Pipeline API takes.
public enum ResolvedStage: Sendable {
    /// Trains from `arch` (first stage) or trains the current model further (`arch` nil).
    case train(arch: String?, TrainingSettings)
    /// Fine-tunes the current model, masks and codebooks held.
    case retrain(TrainingSettings)
    /// `prune` and `dns`: ``pruneModel(_:settings:train:test:onEvent:)``.
    case prune(PruningSettings)
    /// ``quantizeModel(_:settings:train:test:onEvent:)``.
    case quantize(QuantizationSettings)
    /// `svd` and `flatten`: ``factorizeModel(_:settings:train:test:onEvent:)``.
    case lowRank(LowRankSettings)
    /// ``huffmanEncodeModelFile(input:output:settings:)``: writes the `.dcz` file.
    case huffman(CompressedModelSettings)

    /// Whether the stage trains, and so needs the training split.
    public var trains: Bool {
        switch self {
        case .train, .retrain: true
        case .prune(let settings): settings.trains
        case .quantize(let settings): settings.retraining != nil
        case .lowRank(let settings): settings.retrain
        case .huffman: false
        }
    }

    /// The settings in effect, as one line: `magnitude, sparsity 0.9, 3 rounds, retrain 12 epochs ...`.
    public var summary: String {
        switch self {
        case let .train(arch, training):
            return (arch.map { "arch \($0), " } ?? "the current model, ") + trainingSummary(training)
        case .retrain(let training):
            return "masks and codebooks held, " + trainingSummary(training)
        case .prune(let settings):
            var parts = [settings.method.rawValue]
            if let sparsity = settings.sparsity { parts.append("sparsity \(perLayerText(sparsity))" + (settings.global ? " (global)" : "")) }
            if let quality = settings.quality { parts.append("quality \(perLayerText(quality))") }
            if let cRate = settings.cRate { parts.append("c-rate \(perLayerText(cRate))") }
            let namesLayers = (settings.sparsity ?? settings.quality ?? settings.cRate)?.hasDefault == false
            parts.append("layers " + (settings.layers.map { $0.patterns.joined(separator: ",") } ?? (namesLayers ? "those named" : "all with weights")))
            if settings.includeBiases { parts.append("biases too") }
            switch settings.method {
            case .magnitude:
                if settings.retrain {
                    parts.append("\(settings.rounds) round\(settings.rounds == 1 ? "" : "s") with retraining, " + trainingSummary(settings.effectiveTraining))
                } else {
                    parts.append("no retraining")
                }
            case .agp:
                parts.append("mask updates every \(settings.agpFrequency) steps, target at \(numberText(settings.agpEndFraction)) of training, " + trainingSummary(settings.effectiveTraining))
            case .dns:
                parts.append("gamma \(numberText(settings.gamma)), power \(numberText(settings.power)), masks fixed from "
                             + (settings.iterationStop.map { "iteration \($0)" } ?? "3/4 of training") + ", " + trainingSummary(settings.effectiveTraining))
            }
            return parts.joined(separator: ", ")
        case .quantize(let settings):
            switch settings.method {
            case .kmeans:
                return "kmeans, bits \(settings.bitWidths), init \(settings.initialization.rawValue), seed \(settings.seed), "
                    + (settings.retraining.map { "fine-tuned: " + trainingSummary($0) } ?? "no fine-tuning")
            case .int8:
                return "int8, " + (settings.perChannel ? "per output channel" : "per tensor") + ", " + (settings.symmetric ? "symmetric" : "asymmetric")
            case .fp16:
                return "fp16, every parameter rounded to half precision"
            }
        case .lowRank(let settings):
            var text = "\(settings.pass.name) \(settings.pass.rankDescription), layers "
                + (settings.layers.map { $0.patterns.joined(separator: ",") } ?? (settings.pass.name == "svd" ? "every Dense" : "every Conv2D"))
            text += settings.retrain ? ", fine-tuned: " + trainingSummary(settings.training) : ", no fine-tuning"
            return text
        case .huffman(let settings):
            return "index bits: dense \(settings.denseIndexBits), conv \(settings.convIndexBits)" + (settings.keepModelName ? ", model name kept" : "")
        }
    }
}

/// `20 epochs, nesterov lr 0.05, cosine, batch 64, weight decay 0.0005, seed 1`.
func trainingSummary(_ settings: TrainingSettings) -> String {
    var text = "\(settings.epochs) epoch\(settings.epochs == 1 ? "" : "s"), \(settings.optimizer.rawValue) lr \(numberText(settings.effectiveLearningRate))"
    text += ", \(settings.schedule.rawValue), batch \(settings.batchSize), weight decay \(numberText(settings.weightDecay))"
    if settings.warmupSteps > 0 { text += ", warm-up \(settings.warmupSteps) steps" }
    if let clip = settings.gradientClipNorm { text += ", clip norm \(numberText(clip))" }
    return text + ", seed \(settings.seed)"
}

/// A per-layer value in the command line's form: `0.9`, `fc1=0.92,fc2=0.91`.
private func perLayerText(_ value: PerLayerValue) -> String {
    value.entries.map { entry in entry.pattern.map { "\($0)=\(numberText(entry.value))" } ?? numberText(entry.value) }.joined(separator: ",")
}

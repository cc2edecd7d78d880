/** Scoring predicted clusters against generator ground truth (`ringscope evaluate`). */
export {
  evaluate,
  DEFAULTS as EVALUATE_DEFAULTS,
  type EvaluateOptions,
  type Evaluation,
  type Scores,
  type GroupRecall,
  type CategoryFlagged,
  type ClusterPurity,
} from './evaluate.js';
export { readTruthCsv, readPredictionsCsv, writePredictionsCsv } from './csv-files.js';
export { formatEvaluation, table } from './format.js';
export { RECOMMENDATIONS, flagLevel, isRecommendation, type Recommendation, type Prediction, type Predictions, type TruthRow } from './types.js';
export { clusterPredictions, type PredictedCluster } from './predictions.js';
export { pairAgreement, keptIds, type PairAgreement, type IdCluster, type KeptIds } from './agreement.js';

/** Training data bundled with the server, and the held-out split used to evaluate on it. */
export { BUNDLED_FILES, bundledDataDir, findBundledDataDir, loadBundledTrainingData } from './bundled';
export { splitTrainTest } from './split';
export type { TrainTestSplit } from './split';

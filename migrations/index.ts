import { Init1764288000000 } from './1764288000000-init';
import { Nlu1764374400000 } from './1764374400000-nlu';
import { NluArtifacts1764460800000 } from './1764460800000-nlu-artifacts';
import { NluSettings1764547200000 } from './1764547200000-nlu-settings';
import { Projects1764633600000 } from './1764633600000-projects';
import { Search1764720000000 } from './1764720000000-search';
import { Recommendation1764806400000 } from './1764806400000-recommendation';
import { Dialogue1764892800000 } from './1764892800000-dialogue';
import { ScaleOut1764979200000 } from './1764979200000-scale-out';
import { DialogueIdempotency1765152000000 } from './1765152000000-dialogue-idempotency';

/** Every migration, in order. Registered as classes so the same list works compiled and under ts-jest. */
export const MIGRATIONS = [Init1764288000000, Nlu1764374400000, NluArtifacts1764460800000, NluSettings1764547200000, Projects1764633600000, Search1764720000000, Recommendation1764806400000, Dialogue1764892800000, ScaleOut1764979200000, DialogueIdempotency1765152000000];

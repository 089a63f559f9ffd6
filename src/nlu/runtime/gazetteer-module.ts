/**
 * The gazetteer the sequence tagger sees as features, built from the training data's
 * lookup tables plus the built-in city and category lists. Loaded by path inside the
 * training worker (a function cannot be posted to a worker) and at parse time, so both
 * see the same gazetteer.
 */
import type { NluTrainingData } from '../core/types';
import { Gazetteer } from '../entities/gazetteer';
import { registerBuiltinLookups } from '../entities/builtin-lookups';
import type { Gazetteer as TaggerGazetteer } from '../training/tagger-features';

export function createGazetteer(data: Pick<NluTrainingData, 'lookups'>): TaggerGazetteer {
  const g = new Gazetteer();
  registerBuiltinLookups(g);
  for (const table of data.lookups) g.add(table.name, table.elements);
  return (text: string) => g.extract(text).map((e) => ({ start: e.start, end: e.end, type: e.entity }));
}

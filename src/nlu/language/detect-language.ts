/**
 * Language identification for routing an utterance to the zh or en models.
 *
 * Script first, then words:
 *  - Han characters against Latin words, weighing a Han character as 1/1.5 of a word (the
 *    average Chinese word is about 1.5 characters): "我想买iPhone" is zh, "I love 北京" en.
 *    Traditional Chinese is zh.
 *  - Kana (Japanese), Hangul (Korean) and other scripts (Cyrillic, Greek, Arabic, Hebrew,
 *    Thai, Devanagari, ...) give 'other' when they dominate; any real amount of kana makes
 *    Han text Japanese.
 *  - Latin-script text is en unless it shows more evidence of another language than of
 *    English: function words and greetings of French, Spanish, German, Italian, Portuguese
 *    and Dutch, and letters English does not use (é, ñ, ß, ¿, Vietnamese ơ/ư/ạ ...).
 *    Short Latin text without any cue (a product name, "ok") stays en with low confidence.
 *  - No letters at all (digits, emoji, punctuation) is 'other' with confidence 1.
 * Confidence is in [0, 1]: the dominant script's share, scaled by how much lexical evidence
 * backs the en/other decision for Latin text.
 */
import type { Lang } from '../core/types';
import { ENGLISH, FOREIGN, FOREIGN_LETTERS } from './stopwords';

export interface LanguageGuess {
  lang: Lang;
  confidence: number;
}

const HAN = /\p{Script=Han}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const LATIN = /\p{Script=Latin}/u;
const LETTER = /\p{L}/u;
const LATIN_WORD = /[\p{Script=Latin}'’]+/gu;
/** Han characters per word, on average, in Chinese text. */
const HAN_PER_WORD = 1.5;

const round = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;

export function detectLanguage(text: string): LanguageGuess {
  let han = 0;
  let kana = 0;
  let otherLetters = 0;
  let latinLetters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Fast paths by code range for ASCII, CJK and kana; the Unicode regexes only for the rest.
    if (c < 0x80) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latinLetters++;
    } else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) han++;
    else if (c >= 0x3040 && c <= 0x30ff) kana++;
    else if (c >= 0x3000 && c <= 0x303f) continue; // CJK punctuation
    else if (c >= 0xd800 && c <= 0xdbff) {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? c);
      i++;
      if (HAN.test(ch)) han++;
      else if (LETTER.test(ch)) otherLetters++;
    } else {
      const ch = text[i];
      if (LATIN.test(ch)) latinLetters++;
      else if (KANA.test(ch)) kana++;
      else if (HANGUL.test(ch) || LETTER.test(ch)) otherLetters++;
    }
  }
  if (han + kana + otherLetters + latinLetters === 0) return { lang: 'other', confidence: 1 };

  const words = latinLetters ? (text.toLowerCase().match(LATIN_WORD) ?? []) : [];
  const hanUnits = han / HAN_PER_WORD;
  // Alphabets such as Cyrillic spell words of about five letters; kana runs like Han.
  const otherUnits = otherLetters / 5 + kana / HAN_PER_WORD;
  const latinUnits = words.length;
  const total = hanUnits + otherUnits + latinUnits;

  const japanese = kana >= 2 || (kana > 0 && kana / (han + kana) >= 0.1);
  if (hanUnits > 0 && !japanese && hanUnits >= latinUnits && hanUnits >= otherUnits) {
    return { lang: 'zh', confidence: round(0.5 + 0.5 * (hanUnits / total)) };
  }
  if (otherUnits + (japanese ? hanUnits : 0) > latinUnits) {
    return { lang: 'other', confidence: round(0.5 + 0.5 * ((otherUnits + (japanese ? hanUnits : 0)) / total)) };
  }
  return latinGuess(words, latinUnits / total);
}

/** English or another Latin-script language, from function words and letters. */
function latinGuess(words: string[], share: number): LanguageGuess {
  let en = 0;
  let foreign = 0;
  for (const raw of words) {
    const w = raw.replace(/’/g, "'");
    if (ENGLISH.has(w)) en++;
    else if (FOREIGN.has(w)) foreign++;
    // An accented letter is weaker evidence than a function word: café and naïve occur in English.
    else if (FOREIGN_LETTERS.test(w)) foreign += 0.5;
  }
  const evidence = en + foreign;
  // Full weight from three cues on; one word alone ("hello") is a hint, not proof.
  const weight = Math.min(1, evidence / 3);
  const margin = evidence === 0 ? 0 : Math.abs(en - foreign) / evidence;
  if (foreign > en) return { lang: 'other', confidence: round(share * (0.55 + 0.45 * margin * weight)) };
  return { lang: 'en', confidence: round(share * (0.55 + 0.45 * margin * weight)) };
}

/** NLU's tokenization is the shared segmenter (src/common/text/segment.ts): one implementation for NLU and search. */
export { coarseTokens, getJieba, normalizeText, taggerTokens, wordTokens } from '../../common/text/segment';
export type { Token, TokenKind } from '../../common/text/segment';

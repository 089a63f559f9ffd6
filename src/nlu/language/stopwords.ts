/**
 * Function words that tell English from the other common Latin-script languages. Words
 * shared with English (a, in, on, die, me, no, son, ...) are left out of the foreign list,
 * so they count for English only.
 */

export const ENGLISH = new Set(
  `the a an and or but of to in on at for with from by about as is are was were be been being am
  i you he she it we they me him her us them my your his its our their this that these those
  what which who whom whose where when why how do does did have has had will would can could
  should shall may might must not no yes there here if then than so very just also too all any
  some more most other into over under up down out off again want need like please thanks thank
  hello hi hey get give show tell find buy order book today tomorrow weather much many one
  something anything nothing it's i'm don't can't what's let's`.split(/\s+/),
);

/** French, Spanish, German, Italian, Portuguese and Dutch function words and greetings. */
export const FOREIGN = new Set(
  `de le la les et est je tu il elle nous vous ils elles des du une un pour dans avec sur pas qui que
  ce cette mais très merci bonjour oui suis sont au aux mes ta votre vos où
  voudrais comment quoi quel quelle aujourd'hui demain c'est j'ai s'il plaît
  el los las y es está estoy usted por para con una uno pero muy gracias hola sí qué cómo
  dónde quiero del al lo su sus tengo mañana hoy buenos buenas días tiene puedo
  der das und ist ich du er sie wir ihr nicht mit für auf ein eine einen zu von bitte danke
  guten wie was wo ja nein haben sind möchte heute morgen ich's gibt kann
  il gli è sono io che di della ciao grazie buongiorno vorrei dove perché oggi domani
  não você obrigado obrigada olá bom dia quero onde hoje amanhã
  het een ik jij niet voor dank hallo goedemorgen wat waar alsjeblieft vandaag`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
for (const w of ENGLISH) FOREIGN.delete(w);

/**
 * Letters that English does not use: accents of French/Spanish/German/Portuguese/Italian,
 * ß, œ, æ, ñ, the inverted marks ¿ ¡, and Vietnamese and other Latin Extended letters.
 */
export const FOREIGN_LETTERS = /[àâäáãåçèéêëìíîïñòóôöõøùúûüýÿßœæ¿¡\u0100-\u024f\u1e00-\u1eff]/i;

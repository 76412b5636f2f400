/**
 * Swipes the kiosk could not deliver, kept in IndexedDB (survives a reload or a power cut) and
 * replayed in the order they were made once the gateway answers again.
 *
 * Each entry keeps the time of the swipe (`swiped_at`, UTC ISO 8601): a replay sends it, and the
 * server accepts it within the meeting's window plus its tolerance. What counts as delivered is
 * the caller's decision (`send` answers 'done', 'drop' or 'retry'); a 'retry' stops the replay
 * there, so later swipes never overtake an earlier one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'

export interface Swipe {
  card_uid: string
  meeting_id: string
  /** when the card was swiped (UTC ISO 8601) */
  swiped_at: string
}

export interface QueuedSwipe extends Swipe {
  id: number
  /** replays that ended in 'retry' */
  attempts: number
  last_error?: string
}

/** 'done': delivered; 'drop': the server refused it for good; 'retry': try again later */
export type ReplayOutcome = 'done' | 'drop' | 'retry'

export interface ReplayResult {
  sent: number
  dropped: QueuedSwipe[]
  remaining: number
}

interface KioskDb extends DBSchema {
  swipes: {
    key: number
    value: QueuedSwipe
  }
}

const STORE = 'swipes'

export class OfflineQueue {
  private replaying: Promise<ReplayResult> | null = null

  private constructor(private readonly db: IDBPDatabase<KioskDb>) {}

  static async open(name = 'dangjian-kiosk'): Promise<OfflineQueue> {
    const db = await openDB<KioskDb>(name, 1, {
      upgrade(database) {
        // autoIncrement keys: ascending in the order the swipes were queued
        database.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true })
      },
    })
    return new OfflineQueue(db)
  }

  async add(swipe: Swipe): Promise<number> {
    const entry = {
      card_uid: swipe.card_uid,
      meeting_id: swipe.meeting_id,
      swiped_at: swipe.swiped_at,
      attempts: 0,
    }
    // the key path fills in `id`
    return this.db.add(STORE, entry as QueuedSwipe)
  }

  count(): Promise<number> {
    return this.db.count(STORE)
  }

  /** Every queued swipe, oldest first. */
  list(): Promise<QueuedSwipe[]> {
    return this.db.getAll(STORE)
  }

  /**
   * Send the queued swipes oldest first, one at a time. 'done' and 'drop' remove the swipe;
   * 'retry' (or `send` throwing) keeps it, counts the attempt and ends this replay. Only one
   * replay runs at a time: a call while one runs gets that replay's result.
   */
  replay(send: (swipe: QueuedSwipe) => Promise<ReplayOutcome>): Promise<ReplayResult> {
    if (!this.replaying) {
      this.replaying = this.run(send).finally(() => {
        this.replaying = null
      })
    }
    return this.replaying
  }

  private async run(send: (swipe: QueuedSwipe) => Promise<ReplayOutcome>): Promise<ReplayResult> {
    let sent = 0
    const dropped: QueuedSwipe[] = []
    for (;;) {
      const cursor = await this.db.transaction(STORE).store.openCursor()
      const swipe = cursor?.value
      if (!swipe) break
      let outcome: ReplayOutcome
      let error: string | undefined
      try {
        outcome = await send(swipe)
      } catch (caught) {
        outcome = 'retry'
        error = caught instanceof Error ? caught.message : String(caught)
      }
      if (outcome === 'retry') {
        await this.db.put(STORE, {
          ...swipe,
          attempts: swipe.attempts + 1,
          ...(error ? { last_error: error } : {}),
        })
        break
      }
      await this.db.delete(STORE, swipe.id)
      if (outcome === 'done') sent += 1
      else dropped.push(swipe)
    }
    return { sent, dropped, remaining: await this.count() }
  }

  close(): void {
    this.db.close()
  }
}

/** The console's API client: its token pair in localStorage; a refused refresh signs out. */
import { ApiClient, LocalTokenStore } from '@/shared/api'

export const SIGNED_OUT_EVENT = 'dangjian:signed-out'

export const api = new ApiClient({
  tokens: new LocalTokenStore('dangjian.console.tokens'),
  onSignedOut: () => window.dispatchEvent(new Event(SIGNED_OUT_EVENT)),
})

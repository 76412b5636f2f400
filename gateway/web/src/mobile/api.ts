/** The phone pages' API client: the member's token pair in localStorage. */
import { ApiClient, LocalTokenStore } from '@/shared/api'

export const SIGNED_OUT_EVENT = 'dangjian:member-signed-out'

export const api = new ApiClient({
  tokens: new LocalTokenStore('dangjian.mobile.tokens'),
  onSignedOut: () => window.dispatchEvent(new Event(SIGNED_OUT_EVENT)),
})

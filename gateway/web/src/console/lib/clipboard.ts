/** Copies text for the person to paste elsewhere (a one-time password, a pairing code); false
 * when the browser refuses (then the page asks them to copy it by hand). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (!navigator.clipboard) return false
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

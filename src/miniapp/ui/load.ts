import { useEffect, useState } from 'preact/hooks'

/**
 * Fetches what a view shows, again whenever one of `deps` changes; a failure goes to `onError`
 * (the page's error screen), so a view only draws data it has.
 */
export function useLoad<T>(
  fetcher: () => Promise<T>,
  deps: unknown[],
  onError: (error: unknown) => void,
): T | undefined {
  const [data, setData] = useState<T>()
  useEffect(() => {
    let current = true
    fetcher().then(
      (value) => current && setData(value),
      (error: unknown) => current && onError(error),
    )
    return () => {
      current = false
    }
  }, deps)
  return data
}

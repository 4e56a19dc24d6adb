/**
 * Fetch pages until there are none left or `maxItems` are in hand.
 *
 * @param fetchPage - fetches one page, given the token of the previous one
 * @param maxItems - stop once this many items are fetched
 */
export async function listAll<T>(
  fetchPage: (
    pageToken: string | undefined
  ) => Promise<{ items: T[]; nextPageToken?: string }>,
  maxItems: number
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let token: string | undefined = undefined;
  do {
    const page: { items: T[]; nextPageToken?: string } = await fetchPage(token);
    items.push(...page.items);
    token = page.nextPageToken || undefined;
  } while (token && items.length < maxItems);
  return {
    items: items.slice(0, maxItems),
    truncated: Boolean(token) || items.length > maxItems
  };
}

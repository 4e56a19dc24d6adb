// Paging and filtering of the list routes.
/**
 * Query of the list routes.
 */
export interface IListOptions {
  pageSize?: number;
  pageToken?: string;
  filter?: string;
  orderBy?: string;
}

// The client of the extension's REST API: its token, its types, its errors.
export * from './client';
export * from './paging';
export * from './request';
export * from './types';
export * from './vertexAPI';

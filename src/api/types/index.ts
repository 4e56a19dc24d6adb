// The REST API's types, one module per area.
export * from './batch';
export * from './instances';
export * from './jobs';
export * from './lists';
export * from './metrics';
export * from './models';
export * from './pipelines';
export * from './running';
export * from './serving';
export * from './status';
export * from './training';

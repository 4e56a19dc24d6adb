export * from './Banner';
export * from './EndpointList';
export * from './format';
export * from './Header';
export * from './ModelList';
export * from './Panel';
export * from './Section';

// The one set of form controls of the dialogs.
export * from './Field';
export * from './NumberInput';
export * from './Select';
export * from './TextInput';

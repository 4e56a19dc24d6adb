// waitFor/findBy wait up to 5 s instead of Testing Library's 1 s: on a loaded CI machine a
// lazily rendered tab took longer than 1 s to show its resource (seen once in CI).
const { configure } = require('@testing-library/react');

configure({ asyncUtilTimeout: 5000 });

// cdktf's matchers (toHaveResource…) extend a Jest-style global `expect`; vitest's is compatible.
import { Testing } from 'cdktf';
import { expect } from 'vitest';

(globalThis as unknown as { expect: typeof expect }).expect = expect;
Testing.setupJest();

import { describeStorageContract } from './test-support/contract/index.js';

describeStorageContract('sqlite');

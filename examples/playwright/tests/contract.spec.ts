// The whole contract of the bundled default scenario, one Playwright test per case, judged as `drhook contract` judges it.
import { defineContractSuite } from 'drhook/playwright';

defineContractSuite('default');

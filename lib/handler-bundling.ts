import { useSourceBundler } from '../constructs/common/bundled-code';
import { bundleHandler } from '../constructs/common/esbuild-bundler';

// The app and the tests run the constructs from their TypeScript sources, where handlers are not
// pre-built: bundle them with esbuild on demand (the published package ships pre-built bundles).
useSourceBundler(bundleHandler);

// Construct tests build constructs without going through lib/, so register the source bundler here too.
import '../../lib/handler-bundling';

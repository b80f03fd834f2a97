// The main() of the layer closure programs (tests/layers/layers.cmake): each links one layer
// whole, so any symbol it uses from a layer it does not link fails the build.
int main() { return 0; }

"""Generated protobuf/gRPC contracts (tools/protogen.py); do not edit."""

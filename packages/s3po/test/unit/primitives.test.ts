import { awsS3Capabilities, primitivesSuite } from "s3po/testing"
import * as MockBackend from "../../src/internal/mock/backend.js"

primitivesSuite("mock primitives", MockBackend.makeEmpty, { capabilities: awsS3Capabilities })

import * as MockBackend from "../../src/internal/mock/backend.js"
import { primitivesSuite } from "../contract/primitives.js"

primitivesSuite("mock primitives", MockBackend.makeEmpty)

import Fluid
